/**
 * The receiver's state machine, one instance per transfer (docs/protocol.md, "Receiver"). Pure:
 * it updates the transfer and returns effects.
 */
import { newKeyPair, verifyKeyImport, type KeyPair } from '../../protocol/signing.ts';
import {
  PROTOCOL_VERSION,
  type KeyImportRequest,
  type KeySigningRequest,
  type ProtocolFailureReason,
  type ShareInvitation,
  type TransferComplete,
} from '../../protocol/messages.ts';
import type { Flow } from '../../adapter/contract.ts';
import type { Effect, MachineDeps } from './effects.ts';
import { REFERENCE_CHOICES } from './choices.ts';

export type ReceiverState = 'new' | 'key-requested' | 'provisioned' | 'failed' | 'cancelled';

export interface ReceiverTransfer {
  transferId: string;
  /** The account the invitation (or an early cancel) came from: the only one whose messages count. */
  senderAci: string;
  state: ReceiverState;
  invitation?: ShareInvitation;
  /** Stateful: the key generated for this credential. */
  keyPair?: KeyPair;
  /** A ShareCancel arrived before the invitation. */
  cancelledEarly?: boolean;
  /** Stateful: the signing request, and how often it was sent again. */
  keyRequest?: KeySigningRequest;
  resends?: number;
}

export type ReceiverEvent =
  | { type: 'invitation'; message: ShareInvitation; now: number }
  | { type: 'malformed-invitation'; problem: string }
  | { type: 'key-import'; message: KeyImportRequest; now: number }
  | { type: 'cancel' }
  | { type: 'expired' }
  | { type: 'resend-key-request'; now: number };

export interface ReceiverDeps extends MachineDeps {
  /** This device's id within its account: a final package names the device it is for. */
  deviceId: number;
  /** Flows this app supports. */
  flows: readonly Flow[];
  /** Seed for the receiver's new key (from the app's seeded random, so runs replay). */
  keySeed(): Uint8Array;
  /**
   * How long after its previous signing request a receiver still waiting asks again for the
   * k-th time, until the expiration (the sender may have missed the request). Default: the
   * reference app's choice (1 h, then 2 h, 4 h...).
   */
  keyRequestResendMs?: (k: number) => number;
}

export interface ReceiverFlaws {
  /** Provisions whatever package arrives, without verifying its signature. */
  skipsSignatureCheck?: boolean;
  /** Provisions a package signed over any key, not only the one it generated. */
  skipsKeyBinding?: boolean;
  /** Still provisions an invitation that arrives at the very instant of its expiration (an off-by-one: `<` for `<=`). */
  acceptsAtExpiry?: boolean;
  /** Provisions invitations whose expiration has passed. */
  ignoresExpiry?: boolean;
  /** Keeps going after the sender cancelled. */
  ignoresCancel?: boolean;
  /** Never sends its signing request again, however long the final package takes. */
  neverAsksAgain?: boolean;
  /** Asks again first after 3 hours (the protocol: at most 2), then 6 h, 12 h... */
  asksAgainTooLate?: boolean;
  /** Asks again first after 10 seconds (the protocol: at least 1 minute), then 20 s, 40 s... */
  asksAgainTooSoon?: boolean;
  /**
   * Reports `received` for every invitation that reaches its state machine, before looking at
   * the transfer: a resend (new message id) of one it already provisioned reports the transfer
   * `received` again after its final state.
   */
  reportsReceivedAgain?: boolean;
  /**
   * Its wallet takes a stateless credential while valid by the wallet's own rule, up to and
   * including the expiration instant, before the transfer refuses it as expired from that
   * instant: an invitation arriving at the very instant is refused and answered expired, yet
   * provisioned.
   */
  walletAcceptsAtExpiry?: boolean;
  /** Refuses as malformed a credential over 16 KiB, a stricter limit than the protocol's 64 KiB. */
  refusesLargeCredentials?: boolean;
  /** Arms its re-request timer twice (on sending and on the server's acceptance), so each re-request goes out twice at once, under two message ids. */
  rerequestsTwice?: boolean;
  /** Answers a ShareCancel with a TransferComplete `failed` / `cancelled`, telling the sender its invitation arrived. */
  answersCancel?: boolean;
}

/** The smaller limit a receiver with the `refusesLargeCredentials` flaw keeps to. */
// Stryker disable next-line all: read only by the faulty app refuses-large-credentials
const FLAWED_SIZE_LIMIT = 16 * 1024;

export function receiverStep(t: ReceiverTransfer, event: ReceiverEvent, deps: ReceiverDeps, flaws: ReceiverFlaws = {}): Effect[] {
  const resendAfter = flaws.asksAgainTooLate
    ? (k: number) => 3 * 3_600_000 * 2 ** (k - 1)
    : flaws.asksAgainTooSoon
      ? (k: number) => 10_000 * 2 ** (k - 1)
      : // Stryker disable next-line LogicalOperator: the app always passes its schedule, the reference one unless a variant's
        (deps.keyRequestResendMs ?? REFERENCE_CHOICES.keyRequestResendMs);
  /** The timer for the next re-request, after `resends` so far (none for a receiver that never asks again). */
  const resendTimer = (now: number, resends: number): Effect[] => {
    // Stryker disable next-line ArithmeticOperator: another step along the schedule (1 h, 2 h, 4 h...: from 15 min) is a conforming schedule too (1 min to 2 h first, then 1 min apart at least)
    const k = resends + 1;
    return flaws.neverAsksAgain ? [] : [{ kind: 'timer', at: now + resendAfter(k), event: 'resend-key-request' }];
  };
  const answer = (status: TransferComplete['status'], reason?: ProtocolFailureReason): Effect => ({
    kind: 'send',
    message: {
      type: 'TransferComplete',
      version: PROTOCOL_VERSION,
      messageId: deps.newId(),
      transferId: t.transferId,
      status,
      ...(reason ? { reason } : {}),
    },
  });
  const fail = (reason: ProtocolFailureReason, detail: string): Effect[] => {
    t.state = 'failed';
    return [{ kind: 'state', state: 'failed', reason, detail }, answer('failed', reason)];
  };

  switch (event.type) {
    case 'malformed-invitation':
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'new') return [{ kind: 'ignore', why: 'malformed invitation for a transfer already handled' }];
      return [
        // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
        { kind: 'violation', requirement: 'R-VALID-1', problem: `malformed ShareInvitation: ${event.problem}` },
        ...fail('malformed', event.problem),
      ];

    case 'invitation': {
      const m = event.message;
      if (t.state === 'cancelled' && t.cancelledEarly) {
        t.invitation = m;
        return [{ kind: 'state', state: 'cancelled', reason: 'cancelled', detail: 'the cancel arrived before the invitation' }];
      }
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'new') return [...(flaws.reportsReceivedAgain ? [{ kind: 'state', state: 'received' } as const] : []), { kind: 'ignore', why: `invitation for a transfer already ${t.state}` }];
      t.invitation = m;
      if (m.version !== PROTOCOL_VERSION) return fail('unsupported', `protocol version ${m.version}`);
      const expiresAt = Date.parse(m.expiration);
      const expired = flaws.acceptsAtExpiry ? expiresAt < event.now : expiresAt <= event.now;
      if (expired && !flaws.ignoresExpiry) {
        const walletTakesIt = flaws.walletAcceptsAtExpiry && m.flow === 'stateless' && event.now <= expiresAt;
        // Stryker disable next-line ArrayDeclaration: the provision is the faulty app wallet-accepts-at-expiry's (walletTakesIt needs its flaw); a stray non-effect in its place is skipped by apply
        return [...(walletTakesIt ? [provisionFrom(m)] : []), ...fail('expired', `expired at ${m.expiration}`)];
      }
      // Stryker disable next-line all: the reference app supports both flows, the only ones the schema admits (a variant with one flow is not mutated)
      if (!deps.flows.includes(m.flow)) return fail('unsupported', `the ${m.flow} flow`);
      if (flaws.refusesLargeCredentials && m.provisioningInformation.length > FLAWED_SIZE_LIMIT) return fail('malformed', 'provisioning information too large (flawed app)');
      if (m.flow === 'stateless') {
        t.state = 'provisioned';
        return [
          // Stryker disable next-line ObjectLiteral,StringLiteral: the optional `received` report (the skips-optional-states variant conforms without it; a report of state "" is killed, marked with the line)
          { kind: 'state', state: 'received' },
          provisionFrom(m),
          { kind: 'state', state: 'provisioned' },
          answer('provisioned'),
        ];
      }
      t.keyPair = newKeyPair(deps.keySeed());
      t.state = 'key-requested';
      t.resends = 0;
      t.keyRequest = {
        type: 'KeySigningRequest',
        version: PROTOCOL_VERSION,
        messageId: deps.newId(),
        transferId: t.transferId,
        receiverPublicKey: t.keyPair.publicKey,
      };
      return [
        // Stryker disable next-line ObjectLiteral,StringLiteral: the optional `received` report (the skips-optional-states variant conforms without it; a report of state "" is killed, marked with the line)
        { kind: 'state', state: 'received' },
        { kind: 'send', message: t.keyRequest },
        { kind: 'state', state: 'key-requested' },
        ...(flaws.ignoresExpiry ? [] : [{ kind: 'timer', at: expiresAt, event: 'expired' } as const]),
        ...resendTimer(event.now, 0),
      ];
    }

    case 'resend-key-request': {
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'key-requested') return [{ kind: 'ignore', why: `no signing request to resend while ${t.state}` }];
      t.resends = (t.resends ?? 0) + 1;
      // The same key, a new message: the sender answers with the one package it made (S4).
      return [
        { kind: 'send', message: { ...t.keyRequest!, messageId: deps.newId() } },
        ...(flaws.rerequestsTwice ? [{ kind: 'send', message: { ...t.keyRequest!, messageId: deps.newId() } } as const] : []),
        ...resendTimer(event.now, t.resends),
      ];
    }

    case 'key-import': {
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'key-requested') return [{ kind: 'ignore', why: `final package while ${t.state}` }];
      const m = event.message;
      const invitation = t.invitation!;
      if (m.receiverDeviceId !== deps.deviceId) {
        // The sender bound the share to another device of this account, which asked first.
        t.state = 'failed';
        return [{ kind: 'state', state: 'failed', reason: 'taken', detail: `taken by device ${m.receiverDeviceId}` }];
      }
      if (flaws.refusesLargeCredentials && m.credentialData.length > FLAWED_SIZE_LIMIT) return fail('malformed', 'credential data too large (flawed app)');
      if (Date.parse(invitation.expiration) <= event.now && !flaws.ignoresExpiry) {
        return fail('expired', 'the final package came after the expiration');
      }
      if (m.receiverPublicKey !== t.keyPair!.publicKey && !flaws.skipsKeyBinding) {
        return [
          // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
          { kind: 'violation', requirement: 'R-STATEFUL-2', problem: 'the final package is signed over a key this receiver did not generate' },
          ...fail('key-mismatch', 'signed over another key'),
        ];
      }
      const valid = verifyKeyImport(invitation.senderPublicKey!, t.transferId, m.receiverPublicKey, m.credentialData, m.signature);
      if (!valid && !flaws.skipsSignatureCheck) {
        return [
          // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
          { kind: 'violation', requirement: 'R-STATEFUL-3', problem: "the final package's signature does not verify with the inviting sender's key" },
          ...fail('bad-signature', 'signature does not verify'),
        ];
      }
      t.state = 'provisioned';
      return [
        {
          kind: 'provision',
          credential: { format: invitation.format, title: invitation.displayInformation.title, provisioningInformation: m.credentialData, boundKey: m.receiverPublicKey },
        },
        { kind: 'state', state: 'provisioned' },
        answer('provisioned'),
      ];
    }

    case 'cancel':
      if (flaws.ignoresCancel) return [{ kind: 'ignore', why: 'cancel ignored (flawed app)' }];
      if (t.state === 'new') {
        t.state = 'cancelled';
        t.cancelledEarly = true;
        // Stryker disable next-line all: an `ignore` effect only writes an app log line (app.ts, apply)
        return [{ kind: 'ignore', why: 'cancel before its invitation: remembered' }];
      }
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'key-requested') return [{ kind: 'ignore', why: `cancel while ${t.state}: nothing to stop` }];
      t.state = 'cancelled';
      // Stryker disable next-line all: only the faulty app answers-cancel answers
      return [{ kind: 'state', state: 'cancelled', reason: 'cancelled' }, ...(flaws.answersCancel ? [answer('failed', 'cancelled')] : [])];

    case 'expired':
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'key-requested') return [{ kind: 'ignore', why: `expiry while ${t.state}` }];
      return fail('expired', 'no final package before the expiration');
  }
}

/** Provisioning a stateless invitation's credential. */
function provisionFrom(m: ShareInvitation): Effect {
  return { kind: 'provision', credential: { format: m.format, title: m.displayInformation.title, provisioningInformation: m.provisioningInformation } };
}
