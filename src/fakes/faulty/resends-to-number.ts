/**
 * A deliberately faulty credential app: a job, 12 hours after a share, sends the invitation again
 * if the receiver has not answered and the share has not expired (a resend is the same message,
 * same message id: allowed). It addresses the resend as the user did, by phone number, looked up
 * afresh, not to the account the invitation went to: when that number has meanwhile been
 * registered anew (the recipient re-registered, or the number was given to someone else), the
 * credential goes to another account.
 *
 * The story where the recipient deletes his account and registers again checks, before it ends,
 * that his new account got nothing; only the protocol monitor, judging the aftermath, sees the
 * credential go to it (breaks INV-CREDENTIAL-RECIPIENT, R-CONF-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { ReportedStates, afterEachShare, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('sender');
  const invitations = new Map<string, Uint8Array>();
  const app = createReferenceApp(
    watched(ctx, {
      report: states.see,
      sent: (_to, m, bytes) => {
        if (m.type === 'ShareInvitation' && !invitations.has(m.transferId)) invitations.set(m.transferId, bytes);
      },
    }),
  );
  return afterEachShare(app, ctx, async (transferId, request) => {
    const invitation = invitations.get(transferId);
    if (!invitation || states.state(transferId) !== 'invited' || ctx.clock.now() >= request.expiresAt) return;
    try {
      const account = await ctx.signal.lookup(request.recipient);
      if (account) await ctx.signal.send(account.aci, invitation);
    } catch {
      // Best effort: the next run of the job would try again.
    }
  });
};
