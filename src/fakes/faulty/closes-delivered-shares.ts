/**
 * A deliberately faulty credential app: a stale-share sweep closes, 12 hours after its
 * expiration, each stateless share the receiver never answered, and closes it as `completed`:
 * the implementer reasoned that in the stateless flow the credential left with the invitation,
 * which the server accepted, so the share was done.
 *
 * Only a share that stays unanswered past its expiration is swept: in the stories, one whose
 * recipient deleted his account while the invitation waited on the server, and those stories end
 * before the sweep. Only the protocol monitor, judging the aftermath, sees a share reported
 * completed with no `provisioned` answer (breaks INV-COMPLETED-MEANS-PROVISIONED, R-STATELESS-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { LATE_JOB_MS, ReportedStates, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('sender');
  const app = createReferenceApp(watched(ctx, { report: states.see }));
  return {
    ...app,
    async share(request: Parameters<typeof app.share>[0]) {
      const shared = await app.share(request);
      if (request.flow === 'stateless') {
        const sweep = () => {
          if (states.state(shared.transferId) === 'invited') ctx.report({ type: 'transfer', transferId: shared.transferId, role: 'sender', state: 'completed', detail: 'swept: delivered and expired' });
        };
        ctx.clock.setTimeout(sweep, request.expiresAt + LATE_JOB_MS - ctx.clock.now());
      }
      return shared;
    },
  };
};
