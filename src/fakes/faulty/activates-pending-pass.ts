/**
 * A deliberately faulty credential app: in the stateful flow it adds a pending pass to the wallet
 * when it generates its key, to be completed by the final package. When it finds its own Signal
 * account gone (a send refused with 401), a sign-out cleanup job, 12 hours later, finalizes every
 * transfer still waiting for its package, and finalizes a pending pass by activating it (a
 * `provisioned` report) where it should discard it.
 *
 * The story where the receiver deletes his account while waiting checks, before it ends, that
 * nothing was provisioned; the refused send (a re-request) and the cleanup come after. Only the
 * protocol monitor, judging the aftermath, sees a stateful credential provisioned with no final
 * package (breaks INV-PROVISIONED-AFTER-PACKAGE, R-STATEFUL-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import type { ShareInvitation } from '../../protocol/messages.ts';
import { LATE_JOB_MS, ReportedStates, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('receiver');
  /** The pending passes: a stateful invitation and the key this phone asked to have signed for it. */
  const pending = new Map<string, { invitation: ShareInvitation; from: string; key?: string }>();
  let cleanupDue = false;
  const cleanup = () => {
    for (const [transferId, pass] of pending) {
      if (!pass.key || states.state(transferId) !== 'key-requested' || states.hasProvisioned(transferId)) continue;
      const { format, displayInformation, provisioningInformation } = pass.invitation;
      ctx.report({ type: 'provisioned', transferId, from: pass.from, format, title: displayInformation.title, provisioningInformation, boundKey: pass.key });
    }
  };
  return createReferenceApp(
    watched(ctx, {
      report: states.see,
      received: (m, from) => {
        if (m.type === 'ShareInvitation' && m.flow === 'stateful' && !pending.has(m.transferId)) pending.set(m.transferId, { invitation: m, from: from.aci });
      },
      sent: (_to, m) => {
        const pass = pending.get(m.transferId);
        if (m.type === 'KeySigningRequest' && pass) pass.key = m.receiverPublicKey;
      },
      failed: (_to, _bytes, error) => {
        if ((error as { kind?: string }).kind !== 'sender-not-registered' || cleanupDue) return;
        cleanupDue = true;
        ctx.clock.setTimeout(cleanup, LATE_JOB_MS);
      },
    }),
  );
};
