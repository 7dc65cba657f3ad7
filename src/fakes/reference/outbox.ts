/**
 * The reference app's outbox: sends a protocol message and, when the Signal app API reports a
 * transient failure or a rate limit, tries again later on the simulated clock. Never waits inside
 * a call: each retry is a timer, so the app keeps handling messages meanwhile.
 *
 * Policy (docs/protocol.md, "Retries"; the numbers are the app's RetryChoices): up to `attempts`
 * attempts; before attempt n+1 it waits min(cap, base x growth^(n-1)), jittered; after a 429 it
 * waits at least the server's Retry-After. A message is sent again unchanged (same message id),
 * so a receiver that got it after all drops the copy. Other failures (not registered...) are
 * final at once.
 *
 * Identity changes: nothing goes to a peer whose identity key changed until the user confirms
 * the new safety number. Sends to it are held, and sent when `onIdentityConfirmed` fires, unless
 * their transfer expired meanwhile.
 */
import { SignalSendError, type CredentialAppContext, type TimerId } from '../../adapter/contract.ts';
import { encode, randomUuid, type ProtocolMessage } from '../../protocol/messages.ts';
import { REFERENCE_CHOICES, type RetryChoices } from './choices.ts';

export interface OutboxFlaws {
  /** Retries on its own backoff even when the server said Retry-After. */
  ignoresRetryAfter?: boolean;
  /** Treats an identity change like a passing failure: sends to the unconfirmed identity. */
  ignoresIdentityChange?: boolean;
  /** Gives up after 2 attempts, fewer than the protocol's 3. */
  givesUpEarly?: boolean;
  /** Tries 30 times before giving up, more than the protocol's 20. */
  tooManyRetries?: boolean;
  /** Tries again after 0 to 100 ms instead of at least 500 ms (still honouring Retry-After). */
  retriesWithoutWaiting?: boolean;
  /** Waits 8 minutes between attempts, longer than the protocol's 5. */
  waitsTooLong?: boolean;
  /** Builds the message afresh for every retry, with a new message id (breaks INV-ONE-ID). */
  newIdPerRetry?: boolean;
  /**
   * Tries again at once after a transient failure the server did not answer (a dropped
   * connection, a lost response: told from a 5xx by the error's message), waiting only after a
   * 5xx or a 429.
   */
  reconnectsAtOnce?: boolean;
  /** Tries again after a permanent failure too (404 not registered, 401, 413), as if it were passing. */
  retriesPermanentFailures?: boolean;
  /** Takes the user's confirmation of one peer's new safety number for every peer's: it sends what it held for all of them. */
  releasesAllHeld?: boolean;
  /** Sends what it held for a new safety number once confirmed, even after its transfer expired. */
  sendsHeldPastExpiry?: boolean;
  /** Holds back only sends Signal refused: a later send to a peer known to have changed (Signal lets it through) goes out. */
  holdsOnlyRefusedSends?: boolean;
}

interface Pending {
  to: string;
  message: ProtocolMessage;
  outcome: SendOutcome;
}

export interface SendOutcome {
  onSent?: () => void | Promise<void>;
  /** Each attempt, as it is made (a held message makes none until it is released). */
  onAttempt?: () => void;
  /** An attempt refused before anything left the phone (the recipient's identity changed): the message is held. */
  onRefusedUnsent?: () => void;
  /**
   * When the message stops being worth sending (its transfer's expiration): a message held for
   * an unconfirmed identity is not sent at or after it, and `onExpired` is called instead.
   */
  expiresAt?: number;
  onExpired?: () => void | Promise<void>;
  /** The last error, once the budget is spent or the failure cannot be retried. */
  onGiveUp?: (error: unknown) => void | Promise<void>;
}

const retryKey = (to: string, message: ProtocolMessage) => `${to}\n${message.messageId}`;

export class Outbox {
  /** Peers whose identity changed and is not confirmed yet. */
  private readonly unconfirmed = new Set<string>();
  // Stryker disable next-line ArrayDeclaration: a stray entry has no recipient: never released, never sent
  private readonly held: Pending[] = [];
  /** Messages waiting for their next attempt (by recipient and message id): the timer and that attempt's number. */
  private readonly retrying = new Map<string, { timer: TimerId; n: number; transferId: string }>();

  constructor(
    private readonly ctx: CredentialAppContext,
    private readonly flaws: OutboxFlaws = {},
    private readonly policy: RetryChoices = REFERENCE_CHOICES.retry,
  ) {
    ctx.signal.onIdentityChanged((aci) => {
      if (!flaws.ignoresIdentityChange) this.unconfirmed.add(aci);
    });
    ctx.signal.onIdentityConfirmed(async (aci) => {
      if (flaws.releasesAllHeld) this.unconfirmed.clear();
      this.unconfirmed.delete(aci);
      const release = this.held.filter((p) => flaws.releasesAllHeld || p.to === aci);
      this.held.splice(0, this.held.length, ...this.held.filter((p) => !flaws.releasesAllHeld && p.to !== aci));
      for (const p of release) {
        // Stryker disable next-line OptionalChaining: a message with an expiration always comes with its onExpired (app.ts)
        if (this.ctx.clock.now() >= (p.outcome.expiresAt ?? Infinity) && !flaws.sendsHeldPastExpiry) await p.outcome.onExpired?.();
        else await this.send(p.to, p.message, p.outcome);
      }
    });
  }

  /** Sends now; on a retryable failure, again later. Resolves after the first attempt. */
  send(to: string, message: ProtocolMessage, outcome: SendOutcome = {}): Promise<void> {
    if (this.unconfirmed.has(to) && !this.flaws.holdsOnlyRefusedSends) return Promise.resolve(this.hold({ to, message, outcome }));
    // The same message already waits for a retry (an answer to a request asked again): its next
    // attempt comes now, in the same series, rather than a second series beside it whose attempts
    // could follow a failure of the other's at once.
    const key = retryKey(to, message);
    const waiting = this.retrying.get(key);
    // Stryker disable next-line ConditionalExpression,BlockStatement: without it, the answer starts a second series of the same message beside the first: more attempts, each within the rules (INV-RETRY-SPACING takes an answer to a request asked again as an answer, not a retry); its `true` mutant, which throws, is marked too
    if (waiting) {
      this.ctx.clock.clearTimeout(waiting.timer);
      this.retrying.delete(key);
      return this.attempt(to, message, encode(message), waiting.n, outcome);
    }
    return this.attempt(to, message, encode(message), 1, outcome);
  }

  /**
   * The user cancelled the share: what of it is held for a new safety number or waits for a retry
   * is never sent (R-CANCEL-1: nothing goes onwards after a cancel). The cancel itself is sent after.
   */
  forget(transferId: string): void {
    this.held.splice(0, this.held.length, ...this.held.filter((p) => p.message.transferId !== transferId));
    for (const [key, waiting] of this.retrying) {
      if (waiting.transferId !== transferId) continue;
      this.ctx.clock.clearTimeout(waiting.timer);
      this.retrying.delete(key);
    }
  }

  /** Whether a message of the transfer is held for a new safety number (so certainly never sent). */
  holds(transferId: string): boolean {
    return this.held.some((p) => p.message.transferId === transferId);
  }

  private hold(pending: Pending): void {
    this.held.push(pending);
    // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
    this.ctx.log(`${pending.message.type} held until the recipient's new safety number is confirmed`, { transferId: pending.message.transferId });
  }

  private async attempt(to: string, message: ProtocolMessage, bytes: Uint8Array, n: number, outcome: SendOutcome): Promise<void> {
    // A retry planned before the peer's identity changed waits for the confirmation like any send
    // (Signal lets it through once the change was met, on receiving as much as on sending).
    if (n > 1 && this.unconfirmed.has(to) && !this.flaws.holdsOnlyRefusedSends) return this.hold({ to, message, outcome });
    outcome.onAttempt?.();
    try {
      await this.ctx.signal.send(to, bytes);
    } catch (error) {
      if (error instanceof SignalSendError && error.kind === 'identity-changed' && !this.flaws.ignoresIdentityChange) {
        this.unconfirmed.add(to);
        outcome.onRefusedUnsent?.();
        return this.hold({ to, message, outcome });
      }
      const retryable =
        (error instanceof SignalSendError && (error.kind === 'transient' || error.kind === 'rate-limited')) ||
        (this.flaws.ignoresIdentityChange && error instanceof SignalSendError && error.kind === 'identity-changed') ||
        (this.flaws.retriesPermanentFailures && error instanceof SignalSendError && ['not-registered', 'sender-not-registered', 'too-large'].includes(error.kind));
      if (!retryable || n >= this.attempts()) {
        // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
        this.ctx.log(`giving up sending ${message.type} after ${n} attempt(s)`, { transferId: message.transferId, error: String(error) });
        await outcome.onGiveUp?.(error);
        return;
      }
      const delayMs = this.delayBefore(n + 1, error);
      // Stryker disable next-line StringLiteral,ObjectLiteral,ArithmeticOperator: an app log line (the trace's app.log, never evidence)
      this.ctx.log(`${message.type} not sent (${(error as SignalSendError).kind}); attempt ${n + 1} in ${delayMs} ms`, { transferId: message.transferId });
      const again = this.flaws.newIdPerRetry ? { ...message, messageId: randomUuid(this.ctx.random) } : message;
      const againBytes = this.flaws.newIdPerRetry ? encode(again) : bytes;
      const key = retryKey(to, again);
      const timer = this.ctx.clock.setTimeout(() => {
        this.retrying.delete(key);
        return this.attempt(to, again, againBytes, n + 1, outcome);
      }, delayMs);
      // Stryker disable next-line ObjectLiteral,ArithmeticOperator: read only when an answer joins the waiting series (send): a series restarted beside it is within the rules, as marked there
      this.retrying.set(key, { timer, n: n + 1, transferId: message.transferId });
      return;
    }
    await outcome.onSent?.();
  }

  private attempts(): number {
    if (this.flaws.givesUpEarly) return 2;
    if (this.flaws.tooManyRetries) return 30;
    return this.policy.attempts;
  }

  /** How long to wait before attempt `n` (n >= 2). */
  private delayBefore(n: number, error: unknown): number {
    if (this.flaws.reconnectsAtOnce && error instanceof SignalSendError && error.kind === 'transient' && !error.message.startsWith('The server answered')) return 0;
    // Stryker disable next-line MethodExpression,ArithmeticOperator: conforming choices: waits of the cap from the start, or a step further along the growth, stay within 500 ms to 5 min (those that leave it are killed; marked with the line)
    const backoff = Math.min(this.policy.capMs, this.policy.baseMs * this.policy.growth ** (n - 2));
    const jittered = this.flaws.retriesWithoutWaiting
      ? Math.floor(this.ctx.random() * 101)
      : this.flaws.waitsTooLong
        ? 8 * 60_000
        : this.policy.jitter(backoff, () => this.ctx.random());
    // Stryker disable next-line ConditionalExpression,LogicalOperator: only a 429 carries retryAfterMs (src/sim/device/device.ts): after any other error the larger of the wait and 0 is the wait (never honouring it is killed; marked with the line)
    if (error instanceof SignalSendError && error.kind === 'rate-limited' && !this.flaws.ignoresRetryAfter) {
      return Math.max(jittered, error.retryAfterMs ?? 0);
    }
    return jittered;
  }
}
