#!/usr/bin/env python3
"""A complete credential app in Python: both roles, both flows, every MUST of docs/protocol.md.

    python3 app.py          (started by sct-conformance through sct-adapter.json)

It speaks the adapter protocol through sct_adapter.py (copy that as it is). Everything here is
the credential app itself. The one place a real app plugs in its own code is marked "YOUR CODE":
`Wallet` (what provisioning a credential and making a credential key mean on your platform);
the rest is the protocol, which you keep.

Reading order: constants and message checks (the schemas of docs/protocol.md), then `Outgoing`
(one message and its retries), then `App`: the sender's state machine (S0a-S14), the receiver's
(R1-R18), and the routing of incoming messages (dedup, third parties, malformed input).
"""

from __future__ import annotations

import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
except ImportError:
    sys.stderr.write(
        "app.py needs the Python package 'cryptography' (for Ed25519). Install it with\n"
        "    apt-get install python3-cryptography     (Debian, Ubuntu)\n"
        "or  pip install cryptography\n"
    )
    sys.exit(3)

import base64
import hashlib
import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from sct_adapter import Context, CredentialApp, SignalError, run

APP_NAME = "sct-python-example"
PROTOCOL_VERSION = 1
FLOWS = ["stateless", "stateful"]

# Retries (docs/protocol.md, "Retries"): the protocol's bounds are 3 to 20 attempts, 500 ms to
# 5 min between two (a 429's Retry-After wins). Our own choice within them:
MAX_ATTEMPTS = 8  # attempts in one series, the first included
MAX_ATTEMPTS_EVER = 20  # never a 21st attempt at one message, whatever asks for it
MIN_ATTEMPTS = 3  # the fewest before giving up on a passing failure, even past the expiration
FIRST_WAIT_MS = 1_000  # doubled after each failure, up to...
MAX_WAIT_MS = 60_000  # ...and each scaled by a seeded factor in [0.5, 1)
MIN_WAIT_MS = 500

# Re-requests of the receiver waiting for its final package (R17): the first 1 h after its first
# KeySigningRequest (the protocol allows 1 min to 2 h), then twice the previous wait, at most 8 h.
FIRST_REREQUEST_MS = 3_600_000
MAX_REREQUEST_MS = 8 * 3_600_000

# What a stateful invitation's provisioningInformation says: which key to generate (opaque to
# the protocol). The credential itself travels only in the final package.
STATEFUL_KEY_SPEC = base64.b64encode(b'{"keyType":"Ed25519"}').decode("ascii")

SENDER_FINAL = {"completed", "failed", "declined", "cancelled"}


# ---------------------------------------------------------------------------------------------
# YOUR CODE: the wallet. Replace with a call into your platform's credential store.
# ---------------------------------------------------------------------------------------------


class Wallet:
    """Where provisioned credentials go, and the owner's credential keys come from."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.credentials: dict[str, dict] = {}

    def provision(self, transfer_id: str, sender_aci: str, fmt: str, title: str, data: str, bound_key: Optional[str]) -> None:
        self.credentials[transfer_id] = {"from": sender_aci, "format": fmt, "title": title, "data": data, "boundKey": bound_key}

    def new_key(self) -> Ed25519PrivateKey:
        """A fresh Ed25519 key, from the seeded source so runs replay."""
        return Ed25519PrivateKey.from_private_bytes(self.ctx.random_bytes(32))


# ---------------------------------------------------------------------------------------------
# Messages: encoding, and the schemas of docs/protocol.md (src/protocol/messages.ts)
# ---------------------------------------------------------------------------------------------

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I | re.A)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}", re.A)
_DATE = (
    r"(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29"
    r"|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))"
)
# RFC 3339 with seconds and an offset (Z or +hh:mm), as zod's iso.datetime({ offset: true }).
_DATETIME = re.compile(
    r"(?P<date>" + _DATE + r")T(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d):(?P<s>[0-5]\d)(?:\.(?P<frac>\d+))?"
    r"(?:Z|(?P<sign>[+-])(?P<oh>[01]\d|2[0-3]):(?P<om>[0-5]\d))",
    re.A,
)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:", re.A)
_SPECIAL_SCHEMES = {"http", "https", "ws", "wss", "ftp"}


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """An Ed25519 public key on the wire: base64 of its SPKI DER encoding."""
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64(der)


def iso_from_ms(ms: int) -> str:
    """RFC 3339 in UTC with milliseconds, as JavaScript's toISOString()."""
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def ms_from_iso(text: str) -> float:
    """Milliseconds since the epoch of a valid `expiration` (fractions past the millisecond dropped)."""
    m = _DATETIME.fullmatch(text)
    assert m is not None
    year, month, day = (int(x) for x in m.group("date").split("-"))
    offset = 0
    if m.group("sign"):
        offset = (int(m.group("oh")) * 60 + int(m.group("om"))) * (1 if m.group("sign") == "+" else -1)
    try:
        moment = datetime(year, month, day, int(m.group("h")), int(m.group("m")), int(m.group("s")), tzinfo=timezone(timedelta(minutes=offset)))
    except ValueError:  # year 0000: long past
        return -math.inf
    seconds = (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(seconds=1)
    millis = int(((m.group("frac") or "") + "000")[:3])
    return seconds * 1000 + millis


def _length(s: str) -> int:
    """String length as JavaScript counts it (UTF-16 code units): the schemas' limits are in those."""
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def _text(v: Any, lo: int, hi: int) -> bool:
    return isinstance(v, str) and lo <= _length(v) <= hi


def _url(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    v = v.strip()
    m = _URL_SCHEME.match(v)
    if not m:
        return False
    scheme = m.group(0)[:-1].lower()
    if scheme in _SPECIAL_SCHEMES:
        rest = v[len(scheme) + 1 :].lstrip("/\\")
        host = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
        return bool(host) and not any(c in host for c in " <>^|%\t\n")
    return True


def _key(v: Any) -> bool:
    return isinstance(v, str) and _BASE64.fullmatch(v) is not None and len(v) <= 256


def problem_in(m: dict) -> Optional[str]:
    """What is wrong with a message (field: problem), or None when it matches its schema.
    Unknown fields are ignored (forward compatibility, R-COMPAT-1)."""
    kind = m.get("type")
    if kind not in ("ShareInvitation", "KeySigningRequest", "KeyImportRequest", "TransferComplete", "ShareCancel"):
        return "type: unknown"
    if not (_is_int(m.get("version")) and m["version"] >= 1):
        return "version: not a positive integer"
    for field in ("messageId", "transferId"):
        if not (isinstance(m.get(field), str) and _UUID.fullmatch(m[field])):
            return f"{field}: not a UUID"
    if kind == "ShareInvitation":
        if m.get("flow") not in ("stateless", "stateful"):
            return "flow: unknown"
        if not _text(m.get("format"), 1, 256):
            return "format: not a string of 1-256"
        info = m.get("displayInformation")
        if not isinstance(info, dict):
            return "displayInformation: not an object"
        if not _text(info.get("title"), 1, 256):
            return "displayInformation.title: not a string of 1-256"
        if not _text(info.get("description"), 0, 4096):
            return "displayInformation.description: not a string of 0-4096"
        if "imageURL" in info and not _url(info["imageURL"]):
            return "displayInformation.imageURL: not a URL"
        if not (isinstance(m.get("expiration"), str) and _DATETIME.fullmatch(m["expiration"])):
            return "expiration: not an RFC 3339 date-time with offset"
        if not _text(m.get("provisioningInformation"), 1, 65536):
            return "provisioningInformation: not a string of 1-65536"
        if "senderPublicKey" in m and not _key(m["senderPublicKey"]):
            return "senderPublicKey: not base64 of at most 256"
        if m["flow"] == "stateful" and "senderPublicKey" not in m:
            return "senderPublicKey: required in the stateful flow"
    elif kind == "KeySigningRequest":
        if not _key(m.get("receiverPublicKey")):
            return "receiverPublicKey: not base64 of at most 256"
    elif kind == "KeyImportRequest":
        if not _key(m.get("receiverPublicKey")):
            return "receiverPublicKey: not base64 of at most 256"
        if not (_is_int(m.get("receiverDeviceId")) and m["receiverDeviceId"] >= 1):
            return "receiverDeviceId: not a positive integer"
        if not _key(m.get("signature")):
            return "signature: not base64 of at most 256"
        if not _text(m.get("credentialData"), 1, 65536):
            return "credentialData: not a string of 1-65536"
    elif kind == "TransferComplete":
        if m.get("status") not in ("provisioned", "declined", "failed"):
            return "status: unknown"
        reasons = ("expired", "malformed", "key-mismatch", "bad-signature", "unsupported", "cancelled", "taken")
        if "reason" in m and m["reason"] not in reasons:
            return "reason: unknown"
        if m["status"] == "failed" and "reason" not in m:
            return "reason: required when failed"
    return None


def key_import_payload(transfer_id: str, receiver_key: str, credential_data: str) -> bytes:
    """What the sender signs (docs/protocol.md, Signatures)."""
    digest = hashlib.sha256(credential_data.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sct-key-import/1\n{transfer_id}\n{receiver_key}\n{digest}".encode("utf-8", "surrogatepass")


def signature_ok(sender_key: str, transfer_id: str, receiver_key: str, credential_data: str, signature: str) -> bool:
    try:
        key = serialization.load_der_public_key(base64.b64decode(sender_key, validate=True))
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(signature, validate=True), key_import_payload(transfer_id, receiver_key, credential_data))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


# ---------------------------------------------------------------------------------------------
# One outgoing message and its retries
# ---------------------------------------------------------------------------------------------


class Outgoing:
    """A protocol message to one peer: sent unchanged (same bytes, same messageId) on every try."""

    def __init__(self, role: str, kind: str, transfer: Any, to: str, message: dict):
        self.role = role  # 'sender' or 'receiver': whose transfer it belongs to
        self.kind = kind  # 'invitation', 'package', 'cancel', 'request' (KeySigningRequest), 'answer' (TransferComplete)
        self.transfer = transfer
        self.to = to  # the peer's ACI
        self.message_id = message["messageId"]
        self.bytes = encode(message)
        self.attempts = 0  # all attempts ever
        self.series = 0  # attempts since the last success, release or answer-resend
        self.timer: Optional[str] = None  # a retry is planned
        self.held = False  # waiting for the user to confirm the peer's new safety number
        self.accepted = False  # the server took it at least once
        self.maybe_reached = False  # accepted, or a failure after which the server may have stored it
        self.closed = False  # no longer wanted


class SenderTransfer:
    def __init__(self, transfer_id: str, request: dict):
        self.id = transfer_id
        self.request = request
        self.flow = request["flow"]
        self.expires_at = request["expiresAt"]
        self.state = "looking-up"  # then sending, invited, package-sent; final: SENDER_FINAL
        self.final_reported = False
        self.peer: Optional[str] = None  # the recipient's ACI, once looked up
        self.lookups = 0
        self.lookup_timer: Optional[str] = None
        self.credential_key: Optional[Ed25519PrivateKey] = None  # stateful: signs the final package
        self.invitation: Optional[Outgoing] = None
        self.package: Optional[Outgoing] = None
        self.cancel: Optional[Outgoing] = None
        self.bound_device: Optional[int] = None
        self.receiver_key: Optional[str] = None
        self.provisioned_heard = False  # a 'provisioned' answer waiting for proof that what it answers left


class ReceiverTransfer:
    def __init__(self, transfer_id: str, owner: str):
        self.id = transfer_id
        self.owner = owner  # the ACI the invitation came from: only its messages count
        self.state = "new"  # then key-requested; final: provisioned, failed, cancelled
        self.invitation: dict = {}
        self.expires_at: float = 0
        self.key: Optional[Ed25519PrivateKey] = None
        self.public_key: Optional[str] = None
        self.key_requested_reported = False
        self.next_rerequest_ms = FIRST_REREQUEST_MS
        self.rerequest_timer: Optional[str] = None
        self.expiry_timer: Optional[str] = None


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


class App(CredentialApp):
    capabilities = {"flows": FLOWS}

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.wallet = Wallet(ctx)
        self.sent: dict[str, SenderTransfer] = {}  # transfers this phone shares, by id
        self.received: dict[str, ReceiverTransfer] = {}  # transfers offered to this phone, by id
        self.early_cancels: dict[str, set] = {}  # cancels that came before their invitation: ACIs by transfer id
        self.seen: set = set()  # (sender ACI, messageId) of every message acted on
        self.unconfirmed: set = set()  # peers whose new safety number the user has not confirmed
        self.outbox: list[Outgoing] = []

    # ==== reports and small helpers ==============================================================

    def _report(self, transfer_id: str, role: str, state: str, reason: Optional[str] = None) -> None:
        event = {"type": "transfer", "transferId": transfer_id, "role": role, "state": state}
        if reason:
            event["reason"] = reason
        self.ctx.report(event)

    def _message(self, kind: str, transfer_id: str, **fields: Any) -> dict:
        return {"type": kind, "version": PROTOCOL_VERSION, "messageId": self.ctx.uuid4(), "transferId": transfer_id, **fields}

    def _backoff(self, failures: int, retry_after_ms: int = 0) -> int:
        wait = min(FIRST_WAIT_MS * 2 ** (failures - 1), MAX_WAIT_MS) * (0.5 + 0.5 * self.ctx.random())
        return math.ceil(max(MIN_WAIT_MS, wait, retry_after_ms or 0))

    # ==== sending with retries, holds and give-ups =============================================

    def _post(self, role: str, kind: str, transfer: Any, to: str, message: dict) -> Outgoing:
        out = Outgoing(role, kind, transfer, to, message)
        self.outbox.append(out)
        self._transmit(out)
        return out

    def _transmit(self, out: Outgoing) -> None:
        """One attempt now; then a retry, a hold or a give-up as the failure asks."""
        if out.closed:
            return
        if out.role == "sender" and out.to in self.unconfirmed:
            # Nothing of a transfer goes to an identity the user has not confirmed (R-IDENTITY-1).
            out.held = True
            self.ctx.log("held until the new safety number is confirmed", transferId=out.transfer.id, message=out.kind)
            return
        if out.attempts >= MAX_ATTEMPTS_EVER:
            self._give_up(out, "send-failed")
            return
        out.attempts += 1
        out.series += 1
        try:
            self.ctx.send(out.to, out.bytes)
        except SignalError as error:
            self._send_failed(out, error)
            return
        out.accepted = out.maybe_reached = True
        out.series = 0
        self._on_accepted(out)

    def _send_failed(self, out: Outgoing, error: SignalError) -> None:
        self.ctx.log("send failed", transferId=out.transfer.id, message=out.kind, kind=error.kind, attempt=out.attempts)
        if error.kind in ("transient", "rate-limited"):
            out.maybe_reached |= error.kind == "transient"  # a 5xx or a lost answer: maybe stored
            if out.series >= MAX_ATTEMPTS or out.attempts >= MAX_ATTEMPTS_EVER:
                self._give_up(out, "send-failed")
                return
            wait = self._backoff(out.series, error.retry_after_ms or 0)
            out.timer = self.ctx.set_timer(wait, lambda: self._retry(out))
        elif error.kind == "identity-changed":
            self.unconfirmed.add(out.to)  # (identityChanged said so already)
            out.held = True
        elif error.kind == "not-registered":
            self._give_up(out, "not-on-signal")
        elif error.kind == "sender-not-registered":
            self._give_up(out, "sender-not-registered")
        else:  # too-large, rejected: never retried
            self._give_up(out, "send-failed")

    def _retry(self, out: Outgoing) -> None:
        out.timer = None
        if out.closed:
            return
        if not self._still_wanted(out, released=False):
            self._close(out)
            return
        self._transmit(out)

    def _resend(self, out: Optional[Outgoing]) -> None:
        """Sends an already-sent message again because the peer asked again (an answer, not a retry)."""
        if out is None or out.closed or out.held or out.timer is not None:
            return  # a retry or a release will send it anyway
        out.series = 0
        self._transmit(out)

    def _close(self, out: Outgoing) -> None:
        out.closed = True
        out.held = False
        self.ctx.clear_timer(out.timer)
        out.timer = None
        if out in self.outbox:
            self.outbox.remove(out)

    def _give_up(self, out: Outgoing, reason: str) -> None:
        self.ctx.clear_timer(out.timer)
        out.timer = None
        if out.accepted and out.kind != "cancel":
            return  # it left once already: this was a resend; the peer may ask again
        self._close(out)
        if out.role == "sender":
            self._sender_gave_up(out.transfer, out, reason)
        else:
            self.ctx.log("gave up sending (the expiration ends the transfer)", transferId=out.transfer.id, message=out.kind)

    def _still_wanted(self, out: Outgoing, released: bool) -> bool:
        """Whether a retry (released=False) or a message held for a new safety number
        (released=True) should go now.

        After the user cancelled, nothing of the share goes out but the cancel (R-CANCEL-1).
        Otherwise a retry goes whatever became of its transfer meanwhile (completed, expired): a
        copy that arrives late is dropped by the receiver's messageId rule or refused as expired
        (the protocol lets an app drop a message that no longer matters; this one keeps it
        simple). Past the expiration a series stops once it made 3 attempts. A held message is
        released only while its transfer still needs it, and never once it expired."""
        t = out.transfer
        if out.role == "receiver":
            return not released or out.kind == "answer" or t.state == "key-requested"
        if out.kind == "cancel":
            return True
        if t.state == "cancelled":
            return False
        if released and t.state in SENDER_FINAL:
            return False
        if self.ctx.now() >= t.expires_at:
            if t.state not in SENDER_FINAL and (released or t.state == "sending"):
                self._sender_finish(t, "failed", "expired")  # the share is over at every leg
            return not released and out.series < MIN_ATTEMPTS
        return True

    def _on_accepted(self, out: Outgoing) -> None:
        t = out.transfer
        if out.role == "receiver":
            self._close(out)  # a receiver's message is never sent again once the server took it
            if out.kind == "request" and t.state == "key-requested" and not t.key_requested_reported:
                t.key_requested_reported = True  # reported once the server took the request
                self._report(t.id, "receiver", "key-requested")
            return
        if out.kind == "cancel":
            self._sender_finish(t, "cancelled")
        elif out.kind == "invitation" and t.state == "sending":
            t.state = "invited"
            self._report(t.id, "sender", "invited")
        elif out.kind == "package" and t.state == "package-sent":
            self._report(t.id, "sender", "package-sent")
        if t.provisioned_heard and t.state not in SENDER_FINAL and out is self._proof(t):
            self._sender_finish(t, "completed")

    def on_identity_changed(self, aci: str) -> None:
        self.unconfirmed.add(aci)
        self.ctx.log("a peer's identity key changed: holding what goes to it", peer=aci)

    def on_self_changed(self, me: dict) -> None:
        # Signal registered again on this phone: ctx.self (the deviceId R18 compares) is the new one.
        self.ctx.log("this phone's Signal registration changed", aci=me["aci"], deviceId=me["deviceId"])

    def on_identity_confirmed(self, aci: str) -> None:
        self.unconfirmed.discard(aci)
        self.ctx.log("the user confirmed a peer's new safety number", peer=aci)
        for out in [o for o in self.outbox if o.held and o.to == aci]:
            out.held = False
            if out.closed:
                continue
            if not self._still_wanted(out, released=True):
                self._close(out)
                continue
            out.series = 0
            self._transmit(out)

    # ==== the sender (docs/protocol.md, Sender state machine) ==================================

    def share(self, request: dict) -> str:
        t = SenderTransfer(self.ctx.uuid4(), request)
        self.sent[t.id] = t
        if request["flow"] not in FLOWS:
            self._sender_finish(t, "failed", "unsupported")
        elif self.ctx.now() >= t.expires_at:
            self._sender_finish(t, "failed", "expired")
        else:
            # At the expiration, a share still stuck on our side (not yet sent, or held for a new
            # safety number) is over: nothing of it goes any more.
            self.ctx.set_timer(t.expires_at - self.ctx.now(), lambda: self._sender_expiration(t))
            self._look_up(t)
        return t.id

    def _look_up(self, t: SenderTransfer) -> None:
        t.lookup_timer = None
        if t.state in SENDER_FINAL:
            return
        t.lookups += 1
        try:
            account = self.ctx.lookup(t.request["recipient"])
        except SignalError as error:
            if error.kind == "sender-not-registered":
                self._sender_finish(t, "failed", "sender-not-registered")
            elif error.kind in ("transient", "rate-limited") and t.lookups < MAX_ATTEMPTS:
                t.lookup_timer = self.ctx.set_timer(self._backoff(t.lookups, error.retry_after_ms or 0), lambda: self._look_up(t))
            else:
                self._sender_finish(t, "failed", "send-failed")
            return
        if account is None:
            self._sender_finish(t, "failed", "not-on-signal")  # nothing sent (R-ACCOUNT-1)
            return
        t.peer = account["aci"]
        t.state = "sending"
        request = t.request
        info = {k: request["displayInformation"][k] for k in ("title", "description", "imageURL") if k in request["displayInformation"]}
        fields: dict = {
            "flow": t.flow,
            "format": request["format"],
            "displayInformation": info,
            "expiration": iso_from_ms(t.expires_at),
        }
        if t.flow == "stateless":
            fields["provisioningInformation"] = request["provisioningInformation"]
        else:
            # The credential travels in the final package only, bound to the receiver's key.
            t.credential_key = self.wallet.new_key()
            fields["provisioningInformation"] = STATEFUL_KEY_SPEC
            fields["senderPublicKey"] = public_key_b64(t.credential_key)
        t.invitation = self._post("sender", "invitation", t, t.peer, self._message("ShareInvitation", t.id, **fields))

    def cancel(self, transfer_id: str) -> None:
        t = self.sent.get(transfer_id)
        if t is None or t.state in SENDER_FINAL:
            return
        t.state = "cancelled"  # S10: from now on nothing of it is signed (held messages stay held)
        self.ctx.clear_timer(t.lookup_timer)
        if t.peer is None:
            self.ctx.log("cancelled before the recipient was looked up: nothing was sent", transferId=t.id)
            return
        # Reported 'cancelled' once the server took the cancel.
        t.cancel = self._post("sender", "cancel", t, t.peer, self._message("ShareCancel", t.id))

    def _sender_finish(self, t: SenderTransfer, state: str, reason: Optional[str] = None) -> None:
        """Enters a final state and reports it (once: final states never change)."""
        if t.final_reported:
            return
        t.state = state
        t.final_reported = True
        self.ctx.clear_timer(t.lookup_timer)
        self._report(t.id, "sender", state, reason)

    def _sender_gave_up(self, t: SenderTransfer, out: Outgoing, reason: str) -> None:
        """S0b: a message of the share could not be sent."""
        if out.kind != "cancel" and t.provisioned_heard and out is self._proof(t) and out.maybe_reached:
            self._sender_finish(t, "completed")  # the receiver got it after all: it said so
        elif out.kind == "cancel" or t.state not in SENDER_FINAL:
            self._sender_finish(t, "failed", reason)

    def _sender_expiration(self, t: SenderTransfer) -> None:
        if t.final_reported:
            return
        stuck = t.state in ("looking-up", "sending") or any(o is not None and o.held for o in (t.invitation, t.package, t.cancel))
        if stuck:
            self._sender_finish(t, "failed", "expired")

    def _proof(self, t: SenderTransfer) -> Optional[Outgoing]:
        """The message a 'provisioned' answer must follow: the invitation (stateless) or the final package."""
        return t.invitation if t.flow == "stateless" else t.package

    def _sender_transfer(self, m: dict, sender: dict) -> Optional[SenderTransfer]:
        t = self.sent.get(m["transferId"])
        if t is None:
            self.ctx.log("ignored: a message for a transfer this phone never shared", message=m["type"], transferId=m["transferId"])
            return None
        if sender["aci"] != t.peer:
            self.ctx.log("ignored: a message about a share from an account it was not sent to", message=m["type"], transferId=t.id, sender=sender["aci"])
            return None
        if t.state in SENDER_FINAL:
            self.ctx.log("ignored: the share is over", message=m["type"], transferId=t.id, state=t.state)
            return None
        return t

    def _on_key_signing_request(self, m: dict, sender: dict) -> None:
        t = self._sender_transfer(m, sender)
        if t is None:
            return
        if t.flow == "stateless":  # S1: out of protocol, nothing is signed
            self.ctx.log("ignored: a signing request for a stateless share", transferId=t.id)
            return
        if t.state in ("sending", "invited"):
            if self.ctx.now() >= t.expires_at:  # S2
                self._sender_finish(t, "failed", "expired")
                return
            # S3: bind the transfer to this device, sign its key, send the one final package.
            t.bound_device = sender["deviceId"]
            t.receiver_key = m["receiverPublicKey"]
            data = t.request["provisioningInformation"]
            signature = t.credential_key.sign(key_import_payload(t.id, t.receiver_key, data))
            package = self._message(
                "KeyImportRequest",
                t.id,
                receiverPublicKey=t.receiver_key,
                receiverDeviceId=t.bound_device,
                signature=b64(signature),
                credentialData=data,
            )
            t.state = "package-sent"
            t.package = self._post("sender", "package", t, t.peer, package)
        elif m["receiverPublicKey"] == t.receiver_key:
            # S4: the receiver asks again for the same key: the same package, same messageId.
            if self.ctx.now() < t.expires_at:
                self._resend(t.package)
        else:
            # S5 (the bound device, another key) and S13 (another device): nothing.
            self.ctx.log("ignored: a signing request for another key", transferId=t.id, device=sender["deviceId"])

    def _on_transfer_complete(self, m: dict, sender: dict) -> None:
        t = self._sender_transfer(m, sender)
        if t is None:
            return
        if t.state == "package-sent" and sender["deviceId"] != t.bound_device:
            self.ctx.log("ignored: an answer from a device the share is not bound to", transferId=t.id)  # S14
            return
        status = m["status"]
        if status == "provisioned":
            proof = self._proof(t)
            if t.flow == "stateful" and t.state != "package-sent":
                self.ctx.log("ignored: 'provisioned' before any final package", transferId=t.id)  # S6
            elif proof is not None and proof.accepted:
                self._sender_finish(t, "completed")  # S7
            elif proof is not None and proof.maybe_reached:
                # An attempt may have reached the receiver (its answer was lost): completed once
                # the server confirms taking it.
                t.provisioned_heard = True
            else:
                self.ctx.log("ignored: 'provisioned' while nothing could have reached the receiver", transferId=t.id)  # S6b
        elif status == "failed":
            self._sender_finish(t, "failed", m["reason"])  # S8
        else:
            self._sender_finish(t, "declined")  # S9

    # ==== the receiver (docs/protocol.md, Receiver state machine) ==============================

    def _answer(self, r: ReceiverTransfer, status: str, reason: Optional[str] = None) -> None:
        fields = {"status": status, **({"reason": reason} if reason else {})}
        self._post("receiver", "answer", r, r.owner, self._message("TransferComplete", r.id, **fields))

    def _receiver_end(self, r: ReceiverTransfer, state: str, reason: Optional[str] = None, answer: bool = True) -> None:
        """Enters a final state: stops the timers, tells the sender (unless told not to), reports."""
        r.state = state
        self.ctx.clear_timer(r.rerequest_timer)
        self.ctx.clear_timer(r.expiry_timer)
        r.rerequest_timer = r.expiry_timer = None
        if answer and state == "failed":
            self._answer(r, "failed", reason)
        self._report(r.id, "receiver", state, reason)

    def _on_invitation(self, m: dict, sender: dict) -> None:
        aci = sender["aci"]
        r = self.received.get(m["transferId"])
        if r is not None:
            if r.owner != aci:
                self.ctx.log("ignored: an invitation for a transfer another account owns", transferId=r.id, sender=aci)
            else:
                self.ctx.log("ignored: the invitation came before", transferId=r.id, state=r.state)  # R16
            return
        r = ReceiverTransfer(m["transferId"], aci)
        self.received[r.id] = r
        r.invitation = m
        if aci in self.early_cancels.pop(r.id, ()):  # R7, R8: its own sender's cancel came first
            self._receiver_end(r, "cancelled", answer=False)
            return
        if m["version"] != PROTOCOL_VERSION or m["flow"] not in FLOWS:  # R2, R4
            self._receiver_end(r, "failed", "unsupported")
            return
        r.expires_at = ms_from_iso(m["expiration"])
        if self.ctx.now() >= r.expires_at:  # R3: at the very instant too
            self._receiver_end(r, "failed", "expired")
            return
        self._report(r.id, "receiver", "received")
        if m["flow"] == "stateless":  # R5
            self._provision(r, m["provisioningInformation"], None)
            return
        # R6: a new key pair for this transfer; ask for it to be signed; wait until the expiration.
        r.key = self.wallet.new_key()
        r.public_key = public_key_b64(r.key)
        r.state = "key-requested"
        r.expiry_timer = self.ctx.set_timer(r.expires_at - self.ctx.now(), lambda: self._receiver_expiration(r))
        self._request_signature(r)

    def _request_signature(self, r: ReceiverTransfer) -> None:
        """Sends a KeySigningRequest (a new messageId each time, the same key) and plans the next."""
        r.rerequest_timer = self.ctx.set_timer(r.next_rerequest_ms, lambda: self._ask_again(r))
        self._post("receiver", "request", r, r.owner, self._message("KeySigningRequest", r.id, receiverPublicKey=r.public_key))

    def _ask_again(self, r: ReceiverTransfer) -> None:
        """R17: no package came: ask again, waiting longer each time, until the expiration (R14)."""
        r.rerequest_timer = None
        if r.state != "key-requested" or self.ctx.now() >= r.expires_at:
            return
        r.next_rerequest_ms = min(2 * r.next_rerequest_ms, MAX_REREQUEST_MS)
        self._request_signature(r)

    def _receiver_expiration(self, r: ReceiverTransfer) -> None:
        r.expiry_timer = None
        if r.state == "key-requested":
            self._receiver_end(r, "failed", "expired")  # R14

    def _provision(self, r: ReceiverTransfer, data: str, bound_key: Optional[str]) -> None:
        info = r.invitation
        title = info["displayInformation"]["title"]
        self.wallet.provision(r.id, r.owner, info["format"], title, data, bound_key)
        event = {"type": "provisioned", "transferId": r.id, "from": r.owner, "format": info["format"], "title": title, "provisioningInformation": data}
        if bound_key is not None:
            event["boundKey"] = bound_key
        self.ctx.report(event)
        self._receiver_end(r, "provisioned")
        self._answer(r, "provisioned")

    def _receiver_transfer(self, m: dict, sender: dict) -> Optional[ReceiverTransfer]:
        r = self.received.get(m["transferId"])
        if r is not None and r.owner != sender["aci"]:
            self.ctx.log("ignored: a message about a transfer from an account that is not its sender", message=m["type"], transferId=r.id, sender=sender["aci"])
            return None
        return r

    def _on_key_import_request(self, m: dict, sender: dict) -> None:
        r = self._receiver_transfer(m, sender)
        if r is None or r.state != "key-requested":
            self.ctx.log("ignored: a final package this phone is not waiting for", transferId=m["transferId"])  # R16
            return
        if m["receiverDeviceId"] != self.ctx.self["deviceId"]:  # R18
            self._receiver_end(r, "failed", "taken", answer=False)
        elif self.ctx.now() >= r.expires_at:  # R9
            self._receiver_end(r, "failed", "expired")
        elif m["receiverPublicKey"] != r.public_key:  # R10
            self._receiver_end(r, "failed", "key-mismatch")
        elif not signature_ok(r.invitation["senderPublicKey"], r.id, m["receiverPublicKey"], m["credentialData"], m["signature"]):  # R11
            self._receiver_end(r, "failed", "bad-signature")
        else:  # R12
            self._provision(r, m["credentialData"], r.public_key)

    def _on_share_cancel(self, m: dict, sender: dict) -> None:
        if m["transferId"] not in self.received:
            # R7: the cancel overtook its invitation. Whose it is is known only once the
            # invitation says who owns the transfer: keep it per account.
            self.early_cancels.setdefault(m["transferId"], set()).add(sender["aci"])
            return
        r = self._receiver_transfer(m, sender)
        if r is None:
            return
        if r.state == "key-requested":  # R13
            self._receiver_end(r, "cancelled", answer=False)
        else:
            self.ctx.log("ignored: a cancel for a transfer that is over", transferId=r.id, state=r.state)  # R15, R16

    def _on_bad_invitation(self, m: dict, sender: dict, problem: str) -> None:
        """R1/R2: a malformed invitation whose transferId can be read is answered; nothing else is done."""
        transfer_id = m["transferId"]
        if transfer_id in self.received:
            self.ctx.log("ignored: a malformed invitation for a known transfer", transferId=transfer_id, problem=problem)
            return
        r = ReceiverTransfer(transfer_id, sender["aci"])
        self.received[transfer_id] = r
        if sender["aci"] in self.early_cancels.pop(transfer_id, ()):
            self._receiver_end(r, "cancelled", answer=False)
            return
        version = m.get("version")
        unsupported = _is_int(version) and version >= 1 and version != PROTOCOL_VERSION
        self._receiver_end(r, "failed", "unsupported" if unsupported else "malformed")

    # ==== incoming messages ======================================================================

    def on_message(self, message: dict) -> None:
        sender = message["from"]
        try:
            m = json.loads(message["bytes"].decode("utf-8"), parse_constant=_reject_constant)
        except ValueError:
            self.ctx.log("ignored: not UTF-8 JSON", sender=sender["aci"])
            return
        if not isinstance(m, dict):
            self.ctx.log("ignored: not a JSON object", sender=sender["aci"])
            return
        seen = (sender["aci"], m.get("messageId")) if isinstance(m.get("messageId"), str) else None
        if seen is not None and seen in self.seen:
            self.ctx.log("ignored: a message id seen before", messageId=m["messageId"])
            return
        problem = problem_in(m)
        if problem is not None:
            if m.get("type") == "ShareInvitation" and isinstance(m.get("transferId"), str) and _UUID.fullmatch(m["transferId"]):
                if seen is not None:
                    self.seen.add(seen)
                self._on_bad_invitation(m, sender, problem)
            else:
                self.ctx.log("ignored: a malformed message", type=str(m.get("type")), problem=problem)
            return
        self.seen.add(seen)  # (valid: messageId is a UUID)
        kind = m["type"]
        if kind == "ShareInvitation":
            self._on_invitation(m, sender)
        elif m["version"] != PROTOCOL_VERSION:
            self.ctx.log("ignored: a protocol version this app does not speak", message=kind, version=m["version"])
        elif kind == "KeyImportRequest":
            self._on_key_import_request(m, sender)
        elif kind == "ShareCancel":
            self._on_share_cancel(m, sender)
        elif kind == "KeySigningRequest":
            self._on_key_signing_request(m, sender)
        else:
            self._on_transfer_complete(m, sender)


if __name__ == "__main__":
    run(App, APP_NAME)
