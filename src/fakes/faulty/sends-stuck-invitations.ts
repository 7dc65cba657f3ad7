/**
 * A deliberately faulty credential app: a job, 12 hours after a share, sends its invitation if
 * the server never took it and the share has neither ended nor expired, so that no invitation
 * stays stuck on the phone (a "send what is still pending" sweep). It sends the bytes of the
 * refused attempt straight through the Signal app API, around the outbox, and so around the
 * outbox's hold for a new safety number: an invitation held because the recipient's identity key
 * changed goes to that unconfirmed identity (Signal lets a send through once the change was met),
 * and in the stateless flow the invitation carries the credential.
 *
 * The one story that shows it (Bob reinstalled Signal since Alice last shared with him, and she
 * shares a car key, stateless) checks, 2 hours after the share, that Bob has nothing; the job runs
 * 12 hours after the share, in the aftermath, before the share expires: only the protocol monitor
 * sees the credential go to an identity nobody confirmed (breaks INV-CONFIRMED-IDENTITY,
 * R-IDENTITY-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { decode } from '../../protocol/messages.ts';
import { ReportedStates, afterEachShare, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('sender');
  /** Invitations the server refused at their first attempt, by transfer: where and what to send. */
  const stuck = new Map<string, { to: string; bytes: Uint8Array }>();
  const app = createReferenceApp(
    watched(ctx, {
      report: states.see,
      failed: (to, bytes) => {
        const decoded = decode(bytes);
        if (decoded.ok && decoded.message.type === 'ShareInvitation' && !stuck.has(decoded.message.transferId)) stuck.set(decoded.message.transferId, { to, bytes });
      },
    }),
  );
  return afterEachShare(app, ctx, async (transferId, request) => {
    const invitation = stuck.get(transferId);
    // Never accepted by the server: the app reported no state for the share (`invited` comes with acceptance).
    if (!invitation || states.state(transferId) !== undefined || ctx.clock.now() >= request.expiresAt) return;
    try {
      await ctx.signal.send(invitation.to, invitation.bytes);
    } catch {
      // Best effort: the next run of the job would try again.
    }
  });
};
