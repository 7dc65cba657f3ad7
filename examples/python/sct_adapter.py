"""The sct-conformance adapter protocol 1.0 (docs/adapter-protocol.md) for a credential app in Python.

Copy this module as it is. It speaks JSON-RPC 2.0, one object per line, on stdin/stdout, hosts
one app instance per simulated phone, and gives each instance a `Context` that mirrors
`CredentialAppContext` of src/adapter/contract.ts:

    ctx.self                      this phone: {"aci", "number", "deviceId"} (kept up to date: selfChanged)
    ctx.now()                     simulated time (ms since the epoch): the harness's, never the wall clock
    ctx.set_timer(ms, callback)   a timer on the harness's clock; returns its id
    ctx.clear_timer(timer_id)
    ctx.random()                  seeded floats in [0, 1); ctx.random_bytes(n), ctx.uuid4()
    ctx.lookup(recipient)         {"aci", "number"?} or None; raises SignalError
    ctx.send(recipient, data)     {"to", "timestamp"} once the server took it; raises SignalError
    ctx.log(message, **detail)    a line in the scenario's trace
    ctx.report(event)             an AppEvent: what happened to a transfer

Your app is an object made by a factory `factory(ctx)`, with the methods of `CredentialApp`
(share, cancel, stop) and the Signal API's handlers (on_message, on_identity_changed,
on_identity_confirmed, on_self_changed); see `CredentialApp` below. Start everything with
`run(factory, name)`.

The one rule of virtual time: do the work, then return. Every handler runs to completion inside
the harness's call (sends and lookups are answered while it waits); anything later is a timer.
Never sleep, never read the wall clock.
"""

from __future__ import annotations

import base64
import json
import random
import sys
import traceback
import uuid
from collections import deque
from typing import Any, Callable, Optional

PROTOCOL_VERSION = "1.0"

# Our own stdout is the protocol channel: keep a handle on it and send stray prints to stderr
# (stderr lines land in the scenario's trace as the app's log).
_PROTOCOL_OUT = sys.stdout
sys.stdout = sys.stderr


class SignalError(Exception):
    """A failed send or lookup: SignalSendErrorKind of contract.ts.

    kind: 'not-registered' | 'sender-not-registered' | 'rate-limited' | 'transient'
          | 'identity-changed' | 'too-large' | 'rejected'
    retry_after_ms: for 'rate-limited', the least wait before trying again.
    """

    def __init__(self, kind: str, message: str, retry_after_ms: Optional[int] = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after_ms = retry_after_ms


class HarnessError(Exception):
    """The harness refused one of our requests for another reason (bad params): a bug in the app."""


class CredentialApp:
    """What an app implements (contract.ts `CredentialApp` plus the Signal API handlers).

    Override what you need; the defaults do nothing."""

    #: Which flows the app implements: announced in `initialize`.
    capabilities: dict = {"flows": ["stateless", "stateful"]}

    def share(self, request: dict) -> str:
        """Starts a share (a ShareRequest of contract.ts); returns its transfer id."""
        raise NotImplementedError

    def cancel(self, transfer_id: str) -> None:
        """Withdraws an in-flight share."""

    def on_message(self, message: dict) -> None:
        """An incoming Signal message: {"from": {"aci", "number"?, "deviceId"}, "bytes": bytes,
        "sentAt", "serverTimestamp"}. Acknowledged to the server once this returns."""

    def on_identity_changed(self, aci: str) -> None:
        """A peer's identity key changed (a new safety number). Keep it short: it may be delivered
        while a send of yours is waiting for its answer."""

    def on_identity_confirmed(self, aci: str) -> None:
        """The user confirmed a peer's new safety number: held-back sends to it may go now."""

    def on_self_changed(self, me: dict) -> None:
        """Signal was registered again on this phone (a reinstall, or a new account for the same
        number): `ctx.self` already says the new {"aci", "number", "deviceId"}."""

    def stop(self) -> None:
        """The scenario ended: the instance is dropped (the harness forgets its timers)."""


# ---------------------------------------------------------------------------------------------
# The wire: JSON-RPC 2.0, one object per line
# ---------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


class _Wire:
    def __init__(self, on_notification: Callable[[dict], None]) -> None:
        self._in = sys.stdin.buffer
        self._next_id = 0
        self._on_notification = on_notification
        # A call from the harness read while we waited for an answer of ours (the harness does not
        # make one while its own call is unanswered, but if it did, it would be served next).
        self.backlog: deque = deque()

    def write(self, message: dict) -> None:
        message = {"jsonrpc": "2.0", **message}
        _PROTOCOL_OUT.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
        _PROTOCOL_OUT.flush()

    def read(self) -> Optional[dict]:
        """The next message from the harness, or None at the end of stdin."""
        while True:
            line = self._in.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                continue
            message = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
            if isinstance(message, dict):
                return message
            raise ValueError("the harness sent a line that is not a JSON object")

    def notify(self, method: str, params: dict) -> None:
        self.write({"method": method, "params": params})

    def request(self, method: str, params: dict) -> Any:
        """Sends a request and waits for its answer, keeping whatever else arrives meanwhile."""
        self._next_id += 1
        my_id = self._next_id
        self.write({"id": my_id, "method": method, "params": params})
        heard: list = []
        while True:
            message = self.read()
            if message is None:
                raise SystemExit(0)  # the harness is gone
            if "method" in message:
                # identityChanged comes before the answer to the send that met the change: it is
                # handed to the app before that answer is.
                (heard if "id" not in message else self.backlog).append(message)
                continue
            if message.get("id") != my_id:
                raise HarnessError(f"an answer to a request never made: {message.get('id')!r}")
            for notification in heard:
                self._on_notification(notification)
            if "error" in message:
                error = message["error"] or {}
                data = error.get("data") or {}
                if error.get("code") == 1 and isinstance(data, dict) and "kind" in data:
                    raise SignalError(data["kind"], str(error.get("message", "")), data.get("retryAfterMs"))
                raise HarnessError(f"{method}: {error.get('code')} {error.get('message')}")
            return message.get("result")


# ---------------------------------------------------------------------------------------------
# What each app instance is given
# ---------------------------------------------------------------------------------------------


class Context:
    """One phone's world: its Signal app API, the harness's clock, a seeded random source, log, report."""

    def __init__(self, host: "_Host", instance: str, self_: dict, seed: int, now: int):
        self._host = host
        self._instance = instance
        self.self = dict(self_)
        self._now = now
        self._rng = random.Random(seed)
        self._timers: dict[str, Callable[[], None]] = {}
        self._timer_seq = 0

    # -- time -----------------------------------------------------------------------------------
    def now(self) -> int:
        """Simulated ms since the epoch. It stands still while a call is being handled."""
        return self._now

    def set_timer(self, ms: float, callback: Callable[[], None]) -> str:
        """Runs `callback` once `ms` simulated ms have passed (rounded up by the harness)."""
        self._timer_seq += 1
        timer_id = f"t{self._timer_seq}"
        self._timers[timer_id] = callback
        self._host.wire.notify("setTimer", {"instance": self._instance, "id": timer_id, "ms": max(0, ms)})
        return timer_id

    def clear_timer(self, timer_id: Optional[str]) -> None:
        if timer_id is not None and self._timers.pop(timer_id, None) is not None:
            self._host.wire.notify("clearTimer", {"instance": self._instance, "id": timer_id})

    # -- randomness (seeded: the same seed, the same run) ---------------------------------------
    def random(self) -> float:
        return self._rng.random()

    def random_bytes(self, n: int) -> bytes:
        return self._rng.getrandbits(8 * n).to_bytes(n, "big") if n else b""

    def uuid4(self) -> str:
        return str(uuid.UUID(bytes=self.random_bytes(16), version=4))

    # -- the Signal app API ---------------------------------------------------------------------
    def lookup(self, recipient: str) -> Optional[dict]:
        result = self._host.wire.request("lookup", {"instance": self._instance, "recipient": recipient})
        return (result or {}).get("account")

    def send(self, recipient: str, data: bytes) -> dict:
        params = {"instance": self._instance, "recipient": recipient, "bytes": base64.b64encode(data).decode("ascii")}
        return self._host.wire.request("send", params)

    # -- telling the harness --------------------------------------------------------------------
    def log(self, message: str, /, **detail: Any) -> None:
        params: dict = {"instance": self._instance, "message": message}
        if detail:
            params["detail"] = detail
        self._host.wire.notify("log", params)

    def report(self, event: dict) -> None:
        self._host.wire.notify("report", {"instance": self._instance, "event": event})


# ---------------------------------------------------------------------------------------------
# The host: instances, and the harness's calls dispatched to them
# ---------------------------------------------------------------------------------------------


class _Instance:
    def __init__(self, ctx: Context, app: CredentialApp):
        self.ctx = ctx
        self.app = app


class _Host:
    def __init__(self, factory: Callable[[Context], CredentialApp], name: str):
        self.factory = factory
        self.name = name
        self.wire = _Wire(lambda m: self._notification(m.get("method"), m.get("params") or {}))
        self.instances: dict[str, _Instance] = {}

    def serve(self) -> None:
        while True:
            message = self.wire.backlog.popleft() if self.wire.backlog else self.wire.read()
            if message is None:
                return
            method = message.get("method")
            params = message.get("params") or {}
            if "id" not in message:
                self._notification(method, params)
                continue
            try:
                result = self._call(method, params)
            except SystemExit:
                raise
            except Exception as error:  # the app's bug: fail this call, naming it, and go on
                traceback.print_exc(file=sys.stderr)
                sys.stderr.flush()
                self.wire.write({"id": message["id"], "error": {"code": -32000, "message": f"{method} failed: {type(error).__name__}: {error}"}})
                continue
            self.wire.write({"id": message["id"], "result": result})

    def _instance(self, params: dict) -> _Instance:
        instance = self.instances.get(params.get("instance"))
        if instance is None:
            raise KeyError(f"no instance {params.get('instance')!r}")
        if isinstance(params.get("now"), int):
            instance.ctx._now = params["now"]
        return instance

    def _notification(self, method: str, params: dict) -> None:
        instance = self.instances.get(params.get("instance"))
        if instance is None:
            return
        if isinstance(params.get("now"), int):
            instance.ctx._now = params["now"]
        if method == "identityChanged":
            instance.app.on_identity_changed(params["aci"])
        elif method == "selfChanged":
            instance.ctx.self.clear()
            instance.ctx.self.update(params["self"])
            instance.app.on_self_changed(instance.ctx.self)
        # Unknown notifications are ignored: a later 1.x may add some.

    def _call(self, method: str, params: dict) -> Any:
        if method == "initialize":
            version = str(params.get("protocolVersion", ""))
            if version.split(".")[0] != PROTOCOL_VERSION.split(".")[0]:
                raise ValueError(f"adapter protocol {version} is not supported (this app speaks {PROTOCOL_VERSION})")
            ctx = Context(self, params["instance"], params["self"], int(params["seed"]), int(params["now"]))
            app = self.factory(ctx)
            self.instances[params["instance"]] = _Instance(ctx, app)
            return {"name": self.name, "capabilities": {"flows": list(app.capabilities["flows"])}}
        instance = self._instance(params)
        app, ctx = instance.app, instance.ctx
        if method == "share":
            return {"transferId": app.share(params["request"])}
        if method == "cancel":
            app.cancel(params["transferId"])
            return None
        if method == "message":
            app.on_message({
                "from": params["from"],
                "bytes": base64.b64decode(params["bytes"]),
                "sentAt": params.get("sentAt"),
                "serverTimestamp": params.get("serverTimestamp"),
            })
            return None
        if method == "identityConfirmed":
            app.on_identity_confirmed(params["aci"])
            return None
        if method == "timer":
            callback = ctx._timers.pop(params["id"], None)
            if callback is not None:
                callback()
            return None
        if method == "stop":
            try:
                app.stop()
            finally:
                del self.instances[params["instance"]]
            return None
        raise ValueError(f"unknown method {method!r}")


def run(factory: Callable[[Context], CredentialApp], name: str) -> None:
    """Serves the harness on stdin/stdout until it closes stdin."""
    _Host(factory, name).serve()
