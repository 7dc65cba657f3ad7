/**
 * The reference credential app: a correct implementation of docs/protocol.md, plugged in through
 * the adapter contract only. It routes each message to its transfer's state machine
 * (sender.ts, receiver.ts) and carries out the effects: sending, reporting, timers.
 *
 * As the peer of an app under test it is also the referee: it validates everything it receives
 * and reports each malformed or out-of-protocol message as a `violation` naming the requirement.
 */
import {
  SignalSendError,
  type AppEvent,
  type CredentialApp,
  type CredentialAppContext,
  type FailureReason,
  type IncomingMessage,
  type ShareRequest,
} from '../../adapter/contract.ts';
import {
  PROTOCOL_VERSION,
  decode,
  randomUuid,
  shareInvitation,
  type ShareInvitation,
} from '../../protocol/messages.ts';
import { newKeyPair, seedFrom } from '../../protocol/signing.ts';
import { withReferenceDefaults, type ChoiceOverrides, type Choices } from './choices.ts';
import { clockWithFlaws, type ClockFlaws } from './clock-flaws.ts';
import type { Effect } from './effects.ts';
import { Outbox, type OutboxFlaws, type SendOutcome } from './outbox.ts';
import { receiverStep, type ReceiverEvent, type ReceiverFlaws, type ReceiverTransfer } from './receiver.ts';
import { senderStep, type SenderEvent, type SenderFlaws, type SenderTransfer } from './sender.ts';

/**
 * Rules the reference app can be told to break. Only the deliberately faulty apps in
 * `src/fakes/faulty/` set these: they prove that the scenarios catch each broken rule.
 */
export interface Flaws extends SenderFlaws, ReceiverFlaws, OutboxFlaws, ClockFlaws {
  /** Keeps a cancelled share's final package held for a new safety number (and its retries): it goes out once the user confirms, after the cancel. */
  sendsAfterCancel?: boolean;
  /** Processes every message it is given, even one it already processed. */
  noDedupe?: boolean;
  /** Refuses invitations that carry fields it does not know. */
  strictFields?: boolean;
  /** Refuses malformed invitations without telling the sender. */
  silentOnMalformed?: boolean;
  /** Sends invitations without their mandatory expiration. */
  omitsExpiration?: boolean;
  /** Takes a message about a transfer from any account, not only the transfer's other party (its sender, or the account its invitation went to). */
  trustsAnySender?: boolean;
  /**
   * The first account to write about a transfer id owns it, until an invitation from another
   * account voids what came first: a forged cancel that overtakes the real cancel and the
   * invitation claims the id, the real cancel is ignored, and the invitation provisions.
   */
  firstContactOwnsTransfer?: boolean;
  /** Writes the credential it provisions into its log (breaks INV-SECRET-KEPT). */
  logsCredential?: boolean;
  /** Generates one receiver key and asks to have it signed for every stateful transfer (breaks INV-FRESH-KEY). */
  reusesReceiverKey?: boolean;
  /**
   * Sends its invitation again (same message id) every 15 minutes while the receiver has not
   * answered, until the expiration, with no cap on the number of sends (breaks INV-RETRY-BUDGET).
   */
  resendsUntilAnswered?: boolean;
  /**
   * Makes each transfer id with a random generator seeded from the clock's milliseconds (as
   * `new Random(System.currentTimeMillis())`): two shares started in the same millisecond get the
   * same transfer id (breaks INV-UNIQUE-TRANSFER).
   */
  clockSeededTransferIds?: boolean;
  /**
   * Takes a transfer id for good only once an invitation goes out: a share that failed before
   * sending anything (the recipient not on Signal) hands its id to the next share, as a sequence
   * rolled back with its transaction would (breaks INV-UNIQUE-TRANSFER).
   */
  reusesUnsentTransferIds?: boolean;
  /**
   * Puts the credential data in its stateful invitation too, "so the receiver can show it while
   * the key is signed": the credential reaches the account unbound, before any device is (breaks
   * INV-PROVISIONED-AFTER-PACKAGE, R-STATEFUL-1).
   */
  sendsCredentialInInvitation?: boolean;
}

/** How often a faulty app that resends unanswered invitations sends them again. */
// Stryker disable next-line all: read only by the faulty app resends-until-answered
const UNANSWERED_RESEND_MS = 15 * 60_000;

const FLOWS = ['stateless', 'stateful'] as const;
/** The stateful invitation's provisioning information: which key the receiver should generate. */
const STATEFUL_KEY_REQUEST = Buffer.from(
  // Stryker disable next-line ObjectLiteral,StringLiteral: opaque to the protocol (docs/protocol.md): any text conforms, and the receiver makes its key whatever it says
  JSON.stringify({ keyType: 'Ed25519' }),
).toString('base64');
const KNOWN_INVITATION_FIELDS = new Set(Object.keys(shareInvitation.shape));

/**
 * The reference app, or with `flaws` a deliberately faulty one (`src/fakes/faulty/`), or with
 * `choices` a conforming variant that decides differently where the protocol lets it
 * (`src/fakes/variants/`; the defaults are the reference's own choices).
 */
export function createReferenceApp(ctx: CredentialAppContext, flaws: Flaws = {}, choiceOverrides: ChoiceOverrides = {}): CredentialApp {
  const choices = withReferenceDefaults(choiceOverrides);
  // Every now() and timer of the app goes through this (the given clock, unless a clock flaw).
  const clock = clockWithFlaws(ctx.clock, flaws);
  const outgoing = new Map<string, SenderTransfer>();
  // A receiver's transfers by id, each owned by the account whose invitation created it. Before
  // the invitation, what came for an id (a cancel that overtook it) waits in a record per account:
  // a third party's forged cancel can neither claim the id nor void the real sender's cancel.
  const incoming = new Map<string, ReceiverTransfer>();
  /** Early records by transfer id, then by the account that wrote (one for all, with the flaw trustsAnySender). */
  const early = new Map<string, Map<string, ReceiverTransfer>>();
  const seenMessageIds = new Set<string>();
  const newId = () => choices.newId(ctx.random, clock.now());
  /** The faulty reusesUnsentTransferIds: the id of the last share that failed before sending. */
  let unsentId: string | undefined;
  const receiverDeps = {
    newId,
    flows: FLOWS,
    // Stryker disable next-line ArrowFunction: without a seed a key is as fresh, only not reproducible (which no rule asks)
    keySeed: flaws.reusesReceiverKey ? ((seed) => () => seed)(seedFrom(ctx.random)) : () => seedFrom(ctx.random),
    deviceId: ctx.signal.self.deviceId,
    keyRequestResendMs: choices.keyRequestResendMs,
  };
  const outbox = new Outbox({ ...ctx, clock }, flaws, choices.retry);
  const report = (event: AppEvent): void => {
    if (choices.reports.deferred) clock.setTimeout(() => ctx.report(event), 0);
    else ctx.report(event);
  };

  /** Carries out a machine's effects for one transfer, in order. */
  async function apply(role: 'sender' | 'receiver', transferId: string, peer: string, effects: Effect[]): Promise<void> {
    for (const effect of arrangeReports(effects, choices)) {
      switch (effect.kind) {
        case 'send':
          // A sender whose message cannot be sent (retries spent, the receiver gone) fails the share.
          await outbox.send(
            peer,
            effect.message,
            role === 'sender'
              ? {
                  onGiveUp: (error) => sent(transferId, { type: 'send-failed', reason: reasonFor(error), detail: String(error) }),
                  // A final package refused or held for a new safety number has not left yet: an answer `provisioned` before it does cannot be true.
                  // Stryker disable next-line ConditionalExpression: a sender's other sends here are cancels, which end the share (a `provisioned` after one is ignored)
                  ...(effect.message.type === 'KeyImportRequest' ? packageAttempts(outgoing.get(transferId)!) : {}),
                  // Held for a new safety number past the expiration: nothing is sent onwards (R-EXPIRY-1).
                  // Stryker disable next-line OptionalChaining: a sender's effects are only ever for a share it has
                  expiresAt: outgoing.get(transferId)?.expiresAt,
                  onExpired: () =>
                    sent(transferId, {
                      type: 'send-failed',
                      reason: 'expired',
                      detail: `${effect.message.type} held for a new safety number until after the expiration; not sent`,
                    }),
                  ...(flaws.completesOnPackageSent && effect.message.type === 'KeyImportRequest' ? { onSent: () => sent(transferId, { type: 'package-accepted' }) } : {}),
                }
              : {},
          );
          break;
        case 'state':
          report({
            type: 'transfer',
            transferId,
            role,
            state: effect.state,
            ...(effect.reason ? { reason: effect.reason } : {}),
            // Stryker disable next-line ConditionalExpression,ObjectLiteral: free text
            ...(effect.detail ? { detail: effect.detail } : {}),
          });
          break;
        case 'provision':
          if (flaws.logsCredential) ctx.log('provisioned', { transferId, credential: effect.credential.provisioningInformation });
          report({ type: 'provisioned', transferId, from: peer, ...effect.credential });
          break;
        // Stryker disable next-line all: violation reports are optional (docs/protocol.md, Reports to the harness): no scenario may require one
        case 'violation':
          // Stryker disable next-line all: as above
          report({ type: 'violation', transferId, from: peer, requirement: effect.requirement, problem: effect.problem });
          break;
        case 'timer': {
          const timerEvent = effect.event;
          clock.setTimeout(
            () => receive(incoming.get(transferId)!, timerEvent === 'expired' ? { type: 'expired' } : { type: 'resend-key-request', now: clock.now() }),
            Math.max(0, effect.at - clock.now()),
          );
          break;
        }
        // Stryker disable next-line StringLiteral,ConditionalExpression: no effect has another kind that would log instead; the case only logs (and logs are never evidence)
        case 'ignore':
          // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
          ctx.log(`ignored: ${effect.why}`, { transferId });
          break;
      }
    }
  }

  function receive(t: ReceiverTransfer, event: ReceiverEvent): Promise<void> {
    let effects = receiverStep(t, event, receiverDeps, flaws);
    if (flaws.silentOnMalformed && event.type === 'malformed-invitation') effects = effects.filter((e) => e.kind !== 'send');
    return apply('receiver', t.transferId, t.senderAci, effects);
  }

  function sent(transferId: string, event: SenderEvent): Promise<void> {
    const t = outgoing.get(transferId)!;
    return apply('sender', transferId, t.recipientAci, senderStep(t, event, { newId }, flaws));
  }

  /**
   * The record a message may act on: the transfer, if it comes from the transfer's owner;
   * before any invitation, its sender's own early record. An invitation makes its sender's early
   * record the transfer and voids the others'.
   */
  function incomingFrom(m: IncomingMessage, transferId: string, invitation = false): ReceiverTransfer | undefined {
    // Stryker disable next-line all: only the faulty app first-contact-owns-transfer takes this branch
    if (flaws.firstContactOwnsTransfer) return firstContact(m, transferId, invitation);
    const owned = incoming.get(transferId);
    if (owned) {
      if (owned.senderAci === m.from.aci || flaws.trustsAnySender) return owned;
      // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
      ctx.log('message for a transfer from an account that is not its sender; ignored', { transferId, from: m.from.aci });
      return undefined;
    }
    const writers = early.get(transferId) ?? new Map<string, ReceiverTransfer>();
    const writer = flaws.trustsAnySender ? '' : m.from.aci;
    const t = writers.get(writer) ?? { transferId, senderAci: m.from.aci, state: 'new' };
    if (!invitation) {
      early.set(transferId, writers.set(writer, t));
      return t;
    }
    early.delete(transferId);
    incoming.set(transferId, t);
    return t;
  }

  /** The faulty app first-contact-owns-transfer's records (see its flaw). */
  // Stryker disable all: only the faulty app first-contact-owns-transfer calls it
  function firstContact(m: IncomingMessage, transferId: string, invitation: boolean): ReceiverTransfer | undefined {
    let t = incoming.get(transferId);
    if (t && invitation && !t.invitation && t.senderAci !== m.from.aci) t = undefined;
    if (!t) incoming.set(transferId, (t = { transferId, senderAci: m.from.aci, state: 'new' }));
    return t.senderAci === m.from.aci ? t : undefined;
  }
  // Stryker restore all

  function outgoingTo(m: IncomingMessage, transferId: string): SenderTransfer | undefined {
    const t = outgoing.get(transferId);
    if (!t || (t.recipientAci !== m.from.aci && !flaws.trustsAnySender)) {
      // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
      ctx.log('message for no share of ours with that account; ignored', { transferId, from: m.from.aci });
      return undefined;
    }
    return t;
  }

  ctx.signal.onMessage(async (m) => {
    const decoded = decode(m.bytes);
    if (!decoded.ok) {
      const t = decoded.type === 'ShareInvitation' && decoded.transferId ? incomingFrom(m, decoded.transferId, true) : undefined;
      if (t) return receive(t, { type: 'malformed-invitation', problem: decoded.problem });
      // Stryker disable next-line all: violation reports are optional (docs/protocol.md, Reports to the harness): no scenario may require one
      report({ type: 'violation', transferId: decoded.transferId, from: m.from.aci, requirement: 'R-VALID-1', problem: `malformed ${decoded.type ?? 'message'}: ${decoded.problem}` });
      return;
    }
    const message = decoded.message;
    // Stryker disable next-line ConditionalExpression,BlockStatement: saves work only: the state machines act once on a repeated message anyway (its `true` mutant, which drops every message, is marked too)
    if (seenMessageIds.has(message.messageId) && !flaws.noDedupe) {
      // Stryker disable next-line StringLiteral,ObjectLiteral: an app log line (the trace's app.log, never evidence)
      ctx.log('duplicate message ignored', { messageId: message.messageId });
      return;
    }
    seenMessageIds.add(message.messageId);
    const now = clock.now();
    const { transferId } = message;
    switch (message.type) {
      case 'ShareInvitation': {
        const t = incomingFrom(m, transferId, true);
        if (!t) return;
        // Stryker disable next-line all: read only by the faulty app strict-fields
        const unknown = Object.keys(message).filter((k) => !KNOWN_INVITATION_FIELDS.has(k));
        if (flaws.strictFields && unknown.length) {
          return receive(t, { type: 'malformed-invitation', problem: `unknown fields: ${unknown.join(', ')}` });
        }
        if (flaws.noDedupe) t.state = 'new'; // forgets it handled this transfer
        return receive(t, { type: 'invitation', message: message as ShareInvitation, now });
      }
      case 'KeyImportRequest': {
        // A package for no invitation: nothing to verify it against.
        const t = incoming.has(transferId) ? incomingFrom(m, transferId) : undefined;
        return t && receive(t, { type: 'key-import', message, now });
      }
      case 'ShareCancel': {
        const t = incomingFrom(m, transferId);
        return t && receive(t, { type: 'cancel' });
      }
      case 'KeySigningRequest':
        if (!outgoingTo(m, transferId)) return;
        return sent(transferId, { type: 'key-signing-request', message, fromDevice: m.from.deviceId, now });
      case 'TransferComplete':
        if (!outgoingTo(m, transferId)) return;
        return sent(transferId, { type: 'transfer-complete', message, fromDevice: m.from.deviceId });
    }
  });

  return {
    // Stryker disable next-line ObjectLiteral: without `flows` an app supports both, the contract's default, as this one declares
    capabilities: { flows: [...FLOWS] },

    async share(request: ShareRequest) {
      const transferId = flaws.clockSeededTransferIds ? randomUuid(clockSeeded(clock.now())) : flaws.reusesUnsentTransferIds && unsentId ? unsentId : newId();
      const fail = (reason: FailureReason, detail: string) => {
        if (flaws.reusesUnsentTransferIds) unsentId = transferId;
        report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason, detail });
      };
      let recipient;
      try {
        recipient = await ctx.signal.lookup(request.recipient);
      } catch (error) {
        fail(reasonFor(error), String(error));
        return { transferId };
      }
      if (!recipient) {
        // Stryker disable next-line StringLiteral: free text
        fail('not-on-signal', `${request.recipient} is not on Signal; nothing was sent`);
        return { transferId };
      }
      if (flaws.reusesUnsentTransferIds) unsentId = undefined;
      // Stryker disable next-line ConditionalExpression: a key made for a stateless share too is never used (it goes in no invitation, and a stateless share signs nothing)
      const credentialKey = request.flow === 'stateful' || flaws.signsStatelessShares ? newKeyPair(seedFrom(ctx.random)) : undefined;
      const invitation: ShareInvitation = {
        type: 'ShareInvitation',
        version: PROTOCOL_VERSION,
        messageId: newId(),
        transferId,
        flow: request.flow,
        format: request.format,
        displayInformation: { ...request.displayInformation },
        expiration: new Date(request.expiresAt).toISOString(),
        // Stateful: the invitation only tells the receiver what key to make (TIGRESS: the receiver
        // generates the credential's key material); the credential data travels in the final package.
        provisioningInformation: request.flow === 'stateful' && !flaws.sendsCredentialInInvitation ? STATEFUL_KEY_REQUEST : request.provisioningInformation,
        ...(request.flow === 'stateful' ? { senderPublicKey: credentialKey!.publicKey } : {}),
      };
      if (flaws.omitsExpiration) delete (invitation as Partial<ShareInvitation>).expiration;
      outgoing.set(transferId, {
        transferId,
        recipientAci: recipient.aci,
        flow: request.flow,
        expiresAt: request.expiresAt,
        credentialData: request.provisioningInformation,
        credentialKey,
        state: 'sending',
        invitation,
      });
      /** The faulty resendsUntilAnswered: the same invitation again while the share waits for an answer. */
      // Stryker disable all: only the faulty app resends-until-answered calls it
      const to = recipient.aci;
      const resendWhileUnanswered = (): void => {
        clock.setTimeout(async () => {
          if (outgoing.get(transferId)?.state !== 'invited' || clock.now() >= request.expiresAt) return;
          await outbox.send(to, invitation);
          resendWhileUnanswered();
        }, UNANSWERED_RESEND_MS);
      };
      // Stryker restore all
      // At the expiration, a share whose invitation the server never took, or whose message is held
      // for a new safety number, is over (docs/protocol.md D3): nothing of it goes out any more.
      clock.setTimeout(
        async () => {
          const t = outgoing.get(transferId)!;
          const holding = outbox.holds(transferId);
          await sent(transferId, { type: 'expired', holding });
          // Stryker disable next-line ConditionalExpression: only the faulty app sends-held-past-expiry keeps what it held
          if (t.state === 'failed' && !flaws.sendsHeldPastExpiry) outbox.forget(transferId);
        },
        Math.max(0, request.expiresAt - clock.now()),
      );
      // Reported `invited` once the server has the invitation: now, or after retries.
      await outbox.send(recipient.aci, invitation, {
        onSent: flaws.resendsUntilAnswered
          ? () => sent(transferId, { type: 'invitation-sent' }).then(resendWhileUnanswered)
          : () => sent(transferId, { type: 'invitation-sent' }),
        onGiveUp: (error) => sent(transferId, { type: 'send-failed', reason: reasonFor(error), detail: String(error) }),
      });
      return { transferId };
    },

    async cancel(transferId: string) {
      // Stryker disable next-line ConditionalExpression,StringLiteral: the harness cancels only shares the app made (without the check, the unknown share throws all the same)
      if (!outgoing.has(transferId)) throw new Error(`No share ${transferId} to cancel`);
      if (!flaws.sendsAfterCancel) outbox.forget(transferId);
      await sent(transferId, { type: 'cancel' });
    },
  };
}

/** The faulty clockSeededTransferIds' generator: a linear congruential one, seeded with the time in milliseconds. */
// Stryker disable all: only the faulty app clock-seeded-transfer-ids calls it
function clockSeeded(now: number): () => number {
  let state = now >>> 0;
  return () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}
// Stryker restore all

/** The report effects in the order and number the app's report choices say (other effects stay in place). */
function arrangeReports(effects: Effect[], choices: Choices): Effect[] {
  let arranged = effects;
  if (choices.reports.skipsOptionalStates) arranged = arranged.filter((e) => !(e.kind === 'state' && (e.state === 'received' || e.state === 'package-sent')));
  if (choices.reports.stateBeforeProvisioned) {
    const provision = arranged.findIndex((e) => e.kind === 'provision');
    const state = arranged.findIndex((e) => e.kind === 'state' && e.state === 'provisioned');
    if (provision >= 0 && state > provision) {
      arranged = [...arranged];
      arranged.splice(provision, 0, ...arranged.splice(state, 1));
    }
  }
  return arranged;
}

function reasonFor(error: unknown): FailureReason {
  // Stryker disable next-line ConditionalExpression: another error has no kind, and so is send-failed either way
  if (error instanceof SignalSendError) {
    if (error.kind === 'not-registered') return 'not-on-signal';
    if (error.kind === 'sender-not-registered') return 'sender-not-registered';
  }
  return 'send-failed';
}

/** Counts a final package's attempts that may have reached the receiver (S6b: a `provisioned` answer needs one). */
function packageAttempts(t: SenderTransfer): Pick<SendOutcome, 'onAttempt' | 'onRefusedUnsent'> {
  return {
    onAttempt: () => void (t.packageAttempts = (t.packageAttempts ?? 0) + 1),
    onRefusedUnsent: () => void (t.packageAttempts = t.packageAttempts! - 1), // always after its onAttempt
  };
}
