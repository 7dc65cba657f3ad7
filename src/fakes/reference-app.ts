/**
 * The reference credential app: a correct implementation of the protocol in docs/protocol.md,
 * plugged in through the adapter contract only (it gets no private access to the simulation).
 * Scenarios run it on every phone by default; an implementation under test replaces it.
 *
 * Sender: looks the recipient up, sends a ShareInvitation, marks the share complete (or failed)
 * when the receiver's TransferComplete arrives, and can cancel with a ShareCancel.
 * Receiver: validates each invitation, refuses it when expired, malformed or unsupported,
 * provisions a valid one exactly once, and answers with a TransferComplete.
 */
import {
  SignalSendError,
  type AppEvent,
  type CredentialApp,
  type CredentialAppContext,
  type FailureReason,
  type IncomingMessage,
  type ShareRequest,
} from '../adapter/contract.ts';
import {
  PROTOCOL_VERSION,
  decode,
  encode,
  randomUuid,
  shareInvitation,
  type ProtocolMessage,
  type ShareCancel,
  type ShareInvitation,
  type TransferComplete,
} from '../protocol/messages.ts';

type Outgoing = { recipientAci: string; state: 'invited' | 'completed' | 'failed' | 'declined' | 'cancelled' };
type Incoming = { senderAci: string; state: 'provisioned' | 'failed' | 'cancelled' };

export const capabilities = { flows: ['stateless'] as const };

/**
 * Rules the reference app can be told to break. Only the deliberately faulty apps in
 * `src/fakes/faulty/` set these: they prove that the scenarios catch each broken rule.
 */
export interface Flaws {
  /** Provisions every invitation it is given, even one it already handled. */
  noDedupe?: boolean;
  /** Provisions invitations whose expiration has passed. */
  ignoresExpiry?: boolean;
  /** Refuses invitations that carry fields it does not know. */
  strictFields?: boolean;
  /** Refuses malformed invitations without telling the sender. */
  silentOnMalformed?: boolean;
}

const KNOWN_INVITATION_FIELDS = new Set(Object.keys(shareInvitation.shape));

export default function createCredentialApp(ctx: CredentialAppContext): CredentialApp {
  return createReferenceApp(ctx);
}

export function createReferenceApp(ctx: CredentialAppContext, flaws: Flaws = {}): CredentialApp {
  const outgoing = new Map<string, Outgoing>();
  const incoming = new Map<string, Incoming>();
  /** Cancels that overtook their invitation: transferId -> sender. */
  const cancelledEarly = new Map<string, string>();
  const seenMessageIds = new Set<string>();

  const uuid = () => randomUuid(ctx.random);
  const report = (event: AppEvent) => ctx.report(event);
  const send = (to: string, message: ProtocolMessage) => ctx.signal.send(to, encode(message));

  async function answer(to: string, transferId: string, status: TransferComplete['status'], reason?: FailureReason) {
    const complete: TransferComplete = {
      type: 'TransferComplete',
      version: PROTOCOL_VERSION,
      messageId: uuid(),
      transferId,
      status,
      ...(reason ? { reason: reason as TransferComplete['reason'] } : {}),
    };
    try {
      await send(to, complete);
    } catch (error) {
      ctx.log('could not send TransferComplete', { transferId, error: String(error) });
    }
  }

  async function refuse(m: IncomingMessage, transferId: string, reason: FailureReason, detail: string) {
    incoming.set(transferId, { senderAci: m.from.aci, state: 'failed' });
    report({ type: 'transfer', transferId, role: 'receiver', state: 'failed', reason, detail });
    if (flaws.silentOnMalformed && reason === 'malformed') return;
    await answer(m.from.aci, transferId, 'failed', reason);
  }

  async function onInvitation(m: IncomingMessage, invitation: ShareInvitation) {
    const { transferId } = invitation;
    if (incoming.has(transferId) && !flaws.noDedupe) {
      ctx.log('invitation for a transfer already handled; ignored', { transferId });
      return;
    }
    if (cancelledEarly.get(transferId) === m.from.aci) {
      incoming.set(transferId, { senderAci: m.from.aci, state: 'cancelled' });
      report({ type: 'transfer', transferId, role: 'receiver', state: 'cancelled', reason: 'cancelled' });
      return;
    }
    if (invitation.version !== PROTOCOL_VERSION) {
      return refuse(m, transferId, 'unsupported', `protocol version ${invitation.version}`);
    }
    const unknown = Object.keys(invitation).filter((k) => !KNOWN_INVITATION_FIELDS.has(k));
    if (flaws.strictFields && unknown.length) {
      return refuse(m, transferId, 'malformed', `unknown fields: ${unknown.join(', ')}`);
    }
    if (Date.parse(invitation.expiration) <= ctx.clock.now() && !flaws.ignoresExpiry) {
      return refuse(m, transferId, 'expired', `expired at ${invitation.expiration}`);
    }
    if (!capabilities.flows.includes(invitation.flow as 'stateless')) {
      return refuse(m, transferId, 'unsupported', `the ${invitation.flow} flow`);
    }
    incoming.set(transferId, { senderAci: m.from.aci, state: 'provisioned' });
    report({ type: 'transfer', transferId, role: 'receiver', state: 'received' });
    report({
      type: 'provisioned',
      transferId,
      from: m.from.aci,
      format: invitation.format,
      title: invitation.displayInformation.title,
      provisioningInformation: invitation.provisioningInformation,
    });
    report({ type: 'transfer', transferId, role: 'receiver', state: 'provisioned' });
    await answer(m.from.aci, transferId, 'provisioned');
  }

  function onComplete(m: IncomingMessage, complete: TransferComplete) {
    const share = outgoing.get(complete.transferId);
    if (!share || share.recipientAci !== m.from.aci) {
      ctx.log('TransferComplete for no share of ours to that sender; ignored', { transferId: complete.transferId });
      return;
    }
    if (share.state !== 'invited') return; // already ended; a late or repeated answer changes nothing
    share.state = complete.status === 'provisioned' ? 'completed' : complete.status;
    report({
      type: 'transfer',
      transferId: complete.transferId,
      role: 'sender',
      state: share.state,
      ...(complete.reason ? { reason: complete.reason } : {}),
    });
  }

  function onCancel(m: IncomingMessage, cancel: ShareCancel) {
    const transfer = incoming.get(cancel.transferId);
    if (!transfer) {
      cancelledEarly.set(cancel.transferId, m.from.aci);
      return;
    }
    if (transfer.senderAci !== m.from.aci || transfer.state !== 'provisioned') return;
    ctx.log('cancel after provisioning; the credential stays', { transferId: cancel.transferId });
  }

  ctx.signal.onMessage(async (m) => {
    const decoded = decode(m.bytes);
    if (!decoded.ok) {
      if (decoded.type === 'ShareInvitation' && decoded.transferId && !incoming.has(decoded.transferId)) {
        return refuse(m, decoded.transferId, 'malformed', decoded.problem);
      }
      ctx.log('unreadable message ignored', { problem: decoded.problem });
      return;
    }
    const message = decoded.message;
    if (seenMessageIds.has(message.messageId) && !flaws.noDedupe) {
      ctx.log('duplicate message ignored', { messageId: message.messageId });
      return;
    }
    seenMessageIds.add(message.messageId);
    switch (message.type) {
      case 'ShareInvitation':
        return onInvitation(m, message);
      case 'TransferComplete':
        return onComplete(m, message);
      case 'ShareCancel':
        return onCancel(m, message);
    }
  });

  return {
    capabilities: { flows: [...capabilities.flows] },

    async share(request: ShareRequest) {
      const transferId = uuid();
      const fail = (reason: FailureReason, detail: string) =>
        report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason, detail });
      let recipient;
      try {
        recipient = await ctx.signal.lookup(request.recipient);
      } catch (error) {
        fail(reasonFor(error), String(error));
        return { transferId };
      }
      if (!recipient) {
        fail('not-on-signal', `${request.recipient} is not on Signal; nothing was sent`);
        return { transferId };
      }
      const invitation: ShareInvitation = {
        type: 'ShareInvitation',
        version: PROTOCOL_VERSION,
        messageId: uuid(),
        transferId,
        flow: request.flow,
        format: request.format,
        displayInformation: { ...request.displayInformation },
        expiration: new Date(request.expiresAt).toISOString(),
        provisioningInformation: request.provisioningInformation,
      };
      try {
        await send(recipient.aci, invitation);
      } catch (error) {
        fail(reasonFor(error), String(error));
        return { transferId };
      }
      outgoing.set(transferId, { recipientAci: recipient.aci, state: 'invited' });
      report({ type: 'transfer', transferId, role: 'sender', state: 'invited' });
      return { transferId };
    },

    async cancel(transferId: string) {
      const share = outgoing.get(transferId);
      if (!share) throw new Error(`No share ${transferId} to cancel`);
      if (share.state !== 'invited') return;
      share.state = 'cancelled';
      report({ type: 'transfer', transferId, role: 'sender', state: 'cancelled', reason: 'cancelled' });
      const cancel: ShareCancel = { type: 'ShareCancel', version: PROTOCOL_VERSION, messageId: uuid(), transferId };
      await send(share.recipientAci, cancel);
    },
  };
}

function reasonFor(error: unknown): FailureReason {
  if (error instanceof SignalSendError) {
    if (error.kind === 'not-registered') return 'not-on-signal';
    if (error.kind === 'sender-not-registered') return 'sender-not-registered';
    if (error.kind === 'identity-changed') return 'identity-changed';
  }
  return 'send-failed';
}
