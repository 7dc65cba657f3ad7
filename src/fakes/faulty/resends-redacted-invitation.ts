/**
 * A deliberately faulty credential app: a job, 12 hours after a stateless share, sends the
 * invitation again if the receiver has not answered and the share has not expired (the same
 * message, same message id: allowed). It sends the copy its outbox persisted, in which the
 * provisioning information was swapped for a keystore reference so that the credential is never
 * at rest in the clear, and forgets to put the credential back: the resend carries
 * `keystore:<transfer id>` instead.
 *
 * A receiver that got the first copy drops the resend as a duplicate, and the stories where the
 * first copy never reached the app (tampered on the way) end before the job runs: only the
 * protocol monitor, judging the whole trace, sees an invitation that carries something other
 * than what the user shared (breaks INV-EXACT, R-STATELESS-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { encode, type ShareInvitation } from '../../protocol/messages.ts';
import { ReportedStates, afterEachShare, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('sender');
  const persisted = new Map<string, { to: string; invitation: ShareInvitation }>();
  const app = createReferenceApp(
    watched(ctx, {
      report: states.see,
      sent: (to, m) => {
        if (m.type === 'ShareInvitation' && m.flow === 'stateless' && !persisted.has(m.transferId)) {
          persisted.set(m.transferId, { to, invitation: { ...m, provisioningInformation: `keystore:${m.transferId}` } });
        }
      },
    }),
  );
  return afterEachShare(app, ctx, async (transferId, request) => {
    const stored = persisted.get(transferId);
    if (!stored || states.state(transferId) !== 'invited' || ctx.clock.now() >= request.expiresAt) return;
    await ctx.signal.send(stored.to, encode(stored.invitation)).catch(() => undefined); // best effort: the job runs again tomorrow
  });
};
