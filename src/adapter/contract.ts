/**
 * The adapter contract: what a credential app implements to plug into sct-conformance, and what
 * it is given. This module is the whole of it; the bundled reference app
 * (`src/fakes/reference-app.ts`) uses nothing else.
 *
 * An adapter module exports a factory, as its default export or as `createCredentialApp`:
 *
 *   export default function createCredentialApp(context: CredentialAppContext): CredentialApp
 *
 * The harness calls the factory once per simulated phone. The app talks to the world only through
 * its context: the phone's Signal app API (bytes in, bytes out; it never sees keys or ciphertext),
 * the simulated clock, a seeded random source, a logger, and `report`, through which it tells the
 * harness what happened to each transfer.
 *
 * How the harness holds an app to it (a scenario fails, naming the app and the call):
 * - every value the app hands over is checked at the boundary (src/adapter/checks.ts): what
 *   `share()` resolves, each `report()`, the arguments of `signal.send()`/`lookup()` and of
 *   `clock.setTimeout()`;
 * - a call into the app (the factory, `share`, `cancel`, a message or identity handler, a timer)
 *   that throws or does not settle within a few seconds of real time fails the scenario;
 * - errors from the app's own code outside those calls (a real timer, a promise nobody awaited),
 *   and `process.exit()`, fail the scenario they surface in;
 * - the app runs in a process the harness supervises: one that loops on the CPU past the
 *   scenario's time limit (`--timeout`), or that ends, is stopped and its scenario fails.
 */

// ---------------------------------------------------------------------------------------------
// What the app is given
// ---------------------------------------------------------------------------------------------

/** Everything a credential app may use. */
export interface CredentialAppContext {
  /** This phone's Signal app. */
  signal: SignalAppApi;
  /**
   * Simulated time: take now() and every timer from here, never from Date or setTimeout. Work
   * that goes on after a call (`share()`...) or a message handler has resolved must start from
   * a timer set here (0 ms for "right after"): the harness waits for calls, handlers and timers,
   * never for a promise left running.
   */
  clock: Clock;
  /**
   * Seeded random numbers in [0, 1), so runs replay: draw everything random from here (backoff
   * jitter, and the transfer and message ids: `randomUuid(random)` from the protocol module makes
   * a UUID of them). `crypto.randomUUID()` or `Math.random()` would make every run differ.
   */
  random: () => number;
  /**
   * Log lines go into the scenario's trace, as `app.log` events with the message and, nested
   * under `detail`, a JSON copy of the detail: for people reading the trace, never evidence.
   */
  log: (message: string, detail?: Record<string, unknown>) => void;
  /**
   * Tells the harness what happened. Scenarios assert on these reports, each checked against the
   * traffic the harness saw at the devices and the server: a report with nothing behind it
   * (`provisioned` with no invitation received and no TransferComplete sent) fails the scenario.
   *
   * A report is due at the simulated instant of what it reports: the app may make it at once,
   * within the call or handler that caused it, or later from a 0 ms timer on the clock (after
   * the effect), but never once simulated time has moved on. Scenarios read reports only when
   * nothing more is due at the current instant, so these timings are all alike to them.
   */
  report: (event: AppEvent) => void;
}

/**
 * The clock a credential app is given (`context.clock`). Apps must take now() and timers from it,
 * never from `Date` or the real `setTimeout`. Simulated time starts decades from the real date
 * (2040 to 2089, at an instant the run's seed picks), so an app reading `Date.now()` is years
 * off, and a real timer fires long after its scenario moved on: either fails scenarios.
 *
 * Simulated time is whole milliseconds: `now()` is always an integer (Signal's timestamps are
 * whole milliseconds), and a timer's delay may be fractional but is rounded up to the next whole
 * millisecond, so a backoff of 1234.5 ms fires at +1235 ms. Negative or infinite delays count
 * as 0; a delay that is not a number breaks the contract.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, in simulated time: a whole number. */
  now(): number;
  /** Runs `callback` once `ms` of simulated time has passed (rounded up to a whole millisecond). */
  setTimeout(callback: () => void | Promise<void>, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export type TimerId = number;

/** A Signal account as the app knows it. */
export interface SignalAccount {
  /** The account's ACI (a UUID). */
  aci: string;
  /** The phone number (E.164), when known. */
  number?: string;
}

/** The Signal app API of one phone: what the seed design note calls "the Signal app API". */
export interface SignalAppApi {
  /** This phone's own account, and which of the account's devices this phone is. */
  readonly self: SignalAccount & { deviceId: number };
  /**
   * Whether a recipient (E.164 phone number or ACI) is on Signal: the account, or undefined when
   * not. Rejects with a {@link SignalSendError} of one of these kinds, and no other:
   * - `sender-not-registered`: this phone's own account is gone (401); a share then fails as
   *   `sender-not-registered`, with nothing sent;
   * - `transient`: the connection failed or the server answered 5xx: try again later, as a send;
   * - `rate-limited`: 429, with `retryAfterMs`;
   * - `rejected`: the harness's own fault (the scenario is reported broken): do not retry.
   * An ACI is looked up without credentials, so only a phone-number lookup can give
   * `sender-not-registered`.
   */
  lookup(recipient: string): Promise<SignalAccount | undefined>;
  /**
   * Sends bytes to every device of a recipient (E.164 or ACI), end-to-end encrypted. Resolves
   * once the server accepted the message; rejects with a {@link SignalSendError} of any
   * {@link SignalSendErrorKind} (a phone-number recipient is looked up first, so `lookup`'s
   * rejections come through here too, and a number not on Signal is `not-registered`). Device-list
   * changes (409/410) are handled below this call and never reach the app.
   *
   * `bytes` must be a Uint8Array and `recipient` an E.164 number or an ACI: anything else breaks
   * the contract, and the scenario fails naming the call (as it does for `lookup`).
   */
  send(recipient: string, bytes: Uint8Array): Promise<SendReceipt>;
  /**
   * Registers the handler for incoming messages (one handler; a second call replaces it). A
   * message is acknowledged to the server once the handler's promise settles. Messages the device
   * already decrypted once (a redelivery) never reach the handler again.
   */
  onMessage(handler: (message: IncomingMessage) => void | Promise<void>): void;
  /**
   * A peer's identity key changed (a new safety number: a reinstall, a new phone, or someone
   * else). The first send that meets the change fails with `identity-changed` and sends nothing;
   * later sends go through, as in Signal, so the app must itself hold back anything that must
   * not reach an unconfirmed identity (a credential, a final package) until `onIdentityConfirmed`.
   */
  onIdentityChanged(handler: (aci: string) => void): void;
  /** The user confirmed a peer's new safety number: held-back sends to it may go now. */
  onIdentityConfirmed(handler: (aci: string) => void | Promise<void>): void;
}

export interface SendReceipt {
  /** The recipient's ACI. */
  to: string;
  /** The timestamp the message was sent with (simulated time). */
  timestamp: number;
}

export interface IncomingMessage {
  /** Who sent it, as authenticated by the Signal session. */
  from: SignalAccount & { deviceId: number };
  bytes: Uint8Array;
  /** The sender's timestamp. */
  sentAt: number;
  /** When the server accepted it. */
  serverTimestamp: number;
}

/** Why a send failed. Each kind asks something different of the app. */
export type SignalSendErrorKind =
  /** The recipient has no Signal account (HTTP 404). Nothing was sent. */
  | 'not-registered'
  /** This phone's own account is not registered, or its credentials were refused (401). */
  | 'sender-not-registered'
  /** Too many requests (429); wait `retryAfterMs` before trying again. */
  | 'rate-limited'
  /** The server or the network failed (5xx, connection error); the message may or may not have been stored. */
  | 'transient'
  /** The recipient's identity key changed; nothing was sent (see `onIdentityChanged`). */
  | 'identity-changed'
  /** The message is too large (413). */
  | 'too-large'
  /**
   * The server refused a request the Signal layer built (a 4xx no app input can cause). This is
   * the harness's own fault: the scenario is reported broken, not failed. Do not retry.
   */
  | 'rejected';

/** Marks a SignalSendError wherever its class was loaded (see `Symbol.hasInstance` below). */
const SIGNAL_SEND_ERROR = Symbol.for('sct-conformance.SignalSendError');

/**
 * How `send()` and `lookup()` reject: `kind` says what happened (see {@link SignalSendErrorKind}).
 * Test with `error instanceof SignalSendError`.
 */
export class SignalSendError extends Error {
  override name = 'SignalSendError';
  constructor(
    readonly kind: SignalSendErrorKind,
    message: string,
    /** `rate-limited`: how long the server asked to wait (its Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    Object.defineProperty(this, SIGNAL_SEND_ERROR, { value: true });
  }

  /**
   * An adapter in a CommonJS project gets its own copy of this module (its `require` loads the
   * TypeScript again), so its class is not the harness's: `instanceof` goes by a mark shared
   * through the global symbol registry instead of by class identity.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SIGNAL_SEND_ERROR] === true;
  }
}

// ---------------------------------------------------------------------------------------------
// What the app implements
// ---------------------------------------------------------------------------------------------

export type Flow = 'stateless' | 'stateful';

/** Text shown to the receiving user (TIGRESS displayInformation). */
export interface DisplayInformation {
  title: string;
  description: string;
  imageURL?: string;
}

/** What the user asks the app to share. */
export interface ShareRequest {
  /** The receiver: an E.164 phone number or an ACI. */
  recipient: string;
  flow: Flow;
  /** e.g. `digitalwallet.carkey.ccc`, `digitalwallet.generic.authorizationToken`. */
  format: string;
  displayInformation: DisplayInformation;
  /** When the share stops being redeemable (milliseconds since the epoch, simulated time). */
  expiresAt: number;
  /** The provisioning information (opaque to the transport; base64 for binary). */
  provisioningInformation: string;
}

export interface CredentialApp {
  /**
   * Which parts of the protocol this app implements; scenarios needing others are skipped. `flows`
   * lists at least one flow (both when left out).
   */
  readonly capabilities?: { flows?: Flow[] };
  /**
   * Starts a share. Resolves with its transfer id; progress comes as `transfer` reports, which
   * may come before or after this resolves (`invited` among them).
   */
  share(request: ShareRequest): Promise<{ transferId: string }>;
  /** Withdraws an in-flight share. */
  cancel(transferId: string): Promise<void>;
  /** Called once when the scenario ends: cancel timers, close resources. */
  stop?(): void | Promise<void>;
}

export type CredentialAppFactory = (context: CredentialAppContext) => CredentialApp | Promise<CredentialApp>;

// ---------------------------------------------------------------------------------------------
// What the app reports
// ---------------------------------------------------------------------------------------------

/**
 * Transfer states, per role (docs/protocol.md has the state machines).
 * - sender: `invited` (invitation accepted by the server); stateful: `package-sent` (final
 *   package sent); then `completed` (the receiver reported it provisioned) or `failed` /
 *   `declined` / `cancelled`.
 * - receiver: `received` (a valid invitation arrived); stateful: `key-requested` (signing request
 *   sent); then `provisioned` or `failed` / `declined` / `cancelled`.
 *
 * Which to report: `received` and `package-sent` are optional (an app may leave them out);
 * every other state is required when the transfer reaches it: `invited` and `key-requested`
 * say the app is waiting on its peer, and scenarios check them while the peer is offline.
 * States come in the machine's order; reporting a state again is harmless, as scenarios read
 * the last state reported for a transfer.
 */
export type TransferState =
  | 'invited'
  | 'package-sent'
  | 'received'
  | 'key-requested'
  | 'completed'
  | 'provisioned'
  | 'failed'
  | 'declined'
  | 'cancelled';

/**
 * The reasons a TransferComplete message may carry (docs/protocol.md, "TransferComplete"), the
 * same list as the protocol module's schema (src/protocol/messages.ts checks that they agree).
 */
export type ProtocolFailureReason =
  /** The invitation's expiration had passed when it was processed. */
  | 'expired'
  /** A message did not match its schema. */
  | 'malformed'
  /** The final package was signed over a key other than the one the receiver generated. */
  | 'key-mismatch'
  /** The final package's signature does not verify with the inviting sender's key. */
  | 'bad-signature'
  /** The flow, format or protocol version is not supported. */
  | 'unsupported'
  /** The sender cancelled the share. */
  | 'cancelled'
  /** Another device of the receiver's account took the share (the sender bound it to that one). */
  | 'taken';

/**
 * Why a transfer failed: TransferComplete's reasons (docs/protocol.md), and the sender's own
 * reasons for failing before anything was sent or when sending failed.
 */
export type FailureReason =
  | ProtocolFailureReason
  /** The recipient has no Signal account; nothing was sent. */
  | 'not-on-signal'
  /** This phone's own account is gone (a lookup or a send answered 401). */
  | 'sender-not-registered'
  /**
   * The server never took a message of the share: retries spent, or a refusal no retry can cure
   * (413, too large). A new safety number is not a failure: it holds the share (docs/protocol.md D1).
   */
  | 'send-failed';

export type AppEvent =
  | {
      type: 'transfer';
      transferId: string;
      role: 'sender' | 'receiver';
      state: TransferState;
      reason?: FailureReason;
      /** Free text for a human reading the trace. */
      detail?: string;
    }
  | {
      /**
       * The receiver provisioned a credential. Exactly one per transfer. It and the transfer
       * report with state `provisioned` are both required and may come in either order (at the
       * same simulated instant, see `report`).
       */
      type: 'provisioned';
      transferId: string;
      /** The sender's ACI. */
      from: string;
      format: string;
      title: string;
      /** Stateless: the invitation's provisioning information. Stateful: the package's credential data. */
      provisioningInformation: string;
      /** Stateful: the receiver's own public key the credential is bound to (signed by the sender). */
      boundKey?: string;
    }
  | {
      /**
       * The peer broke the protocol: a malformed or out-of-protocol message. The reference app
       * reports these about the app under test; a scenario fails on any it did not expect.
       */
      type: 'violation';
      transferId?: string;
      /** The ACI of the account the offending message came from. */
      from: string;
      /** The requirement broken (docs/requirements.md), e.g. `R-VALID-1`. */
      requirement: string;
      problem: string;
    };
