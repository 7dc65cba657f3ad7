/**
 * A deliberately hollow credential app: it only reports, and never sends anything (it never
 * calls `signal.send`). As sender it reports each share `invited`, then `completed`, at once; as
 * receiver it reports every invitation it gets `provisioned` (with the invitation's data) and
 * every cancel `cancelled`, without answering. And it fakes its peer: instances share this
 * module's state, so when one shares, every other live instance in the process reports the
 * credential provisioned, with the shared data, as if it were the receiver (as when the app
 * under test runs on both phones, `--role both`).
 *
 * Its reports alone would pass a suite that believed them; test/hollow-apps.test.ts proves the
 * suite does not.
 */
import type { CredentialApp, CredentialAppContext, Flow } from '../../adapter/contract.ts';
import { decode, randomUuid } from '../../protocol/messages.ts';

/** What a receiver's fake needs to know about a share. */
interface Offer {
  transferId: string;
  from: string;
  flow: Flow;
  format: string;
  title: string;
  data: string;
}

/** The instances alive in this process (created and not stopped), each able to fake receiving an offer. */
const live = new Set<(offer: Offer) => void>();

export default function createCredentialApp(ctx: CredentialAppContext): CredentialApp {
  const faked = new Set<string>();
  const receiverState = (transferId: string, state: 'received' | 'key-requested' | 'provisioned' | 'cancelled') =>
    ctx.report({ type: 'transfer', transferId, role: 'receiver', state, ...(state === 'cancelled' ? { reason: 'cancelled' as const } : {}) });

  /** Reports an offer provisioned, as a receiver that did the work would, once per transfer. */
  const provision = (offer: Offer) => {
    if (faked.has(offer.transferId)) return;
    faked.add(offer.transferId);
    receiverState(offer.transferId, 'received');
    if (offer.flow === 'stateful') receiverState(offer.transferId, 'key-requested');
    ctx.report({
      type: 'provisioned',
      transferId: offer.transferId,
      from: offer.from,
      format: offer.format,
      title: offer.title,
      provisioningInformation: offer.data,
      ...(offer.flow === 'stateful' ? { boundKey: Buffer.from(randomUuid(ctx.random)).toString('base64') } : {}),
    });
    receiverState(offer.transferId, 'provisioned');
  };
  live.add(provision);

  ctx.signal.onMessage(({ from, bytes }) => {
    const decoded = decode(bytes);
    if (!decoded.ok) return;
    const m = decoded.message;
    if (m.type === 'ShareInvitation') {
      provision({ transferId: m.transferId, from: from.aci, flow: m.flow, format: m.format, title: m.displayInformation.title, data: m.provisioningInformation });
    } else if (m.type === 'ShareCancel') {
      receiverState(m.transferId, 'cancelled');
    }
  });

  return {
    async share(request) {
      const transferId = randomUuid(ctx.random);
      ctx.report({ type: 'transfer', transferId, role: 'sender', state: 'invited' });
      ctx.report({ type: 'transfer', transferId, role: 'sender', state: 'completed' });
      const offer = {
        transferId,
        from: ctx.signal.self.aci,
        flow: request.flow,
        format: request.format,
        title: request.displayInformation.title,
        data: request.provisioningInformation,
      };
      for (const peer of live) if (peer !== provision) peer(offer);
      return { transferId };
    },
    async cancel(transferId) {
      ctx.report({ type: 'transfer', transferId, role: 'sender', state: 'cancelled', reason: 'cancelled' });
    },
    stop() {
      live.delete(provision);
    },
  };
}
