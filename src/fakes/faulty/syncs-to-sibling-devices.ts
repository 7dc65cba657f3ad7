/**
 * A deliberately faulty credential app: a credential-sync job, 12 hours after one of its
 * account's other devices took a stateful share (this device got the final package naming that
 * device, and reported the share taken), imports the package here too, so that the credential is
 * on every device of the account, as a user might wish.
 *
 * The story with a phone and a tablet checks, before it ends, that exactly one device provisioned
 * and the other reported the share taken; only the protocol monitor, judging the aftermath, sees
 * the second device provision from a package that named the first (breaks INV-ONE-DEVICE,
 * R-DEVICE-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import type { ProtocolMessage, ShareInvitation } from '../../protocol/messages.ts';
import { LATE_JOB_MS, ReportedStates, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('receiver');
  const invitations = new Map<string, ShareInvitation>();
  const syncLater = (m: ProtocolMessage, from: { aci: string }) => {
    if (m.type === 'ShareInvitation' && !invitations.has(m.transferId)) invitations.set(m.transferId, m);
    const invitation = invitations.get(m.transferId);
    if (m.type !== 'KeyImportRequest' || m.receiverDeviceId === ctx.signal.self.deviceId || !invitation) return;
    ctx.clock.setTimeout(() => {
      if (states.hasProvisioned(m.transferId)) return;
      ctx.report({
        type: 'provisioned',
        transferId: m.transferId,
        from: from.aci,
        format: invitation.format,
        title: invitation.displayInformation.title,
        provisioningInformation: m.credentialData,
        boundKey: m.receiverPublicKey,
      });
    }, LATE_JOB_MS);
  };
  return createReferenceApp(watched(ctx, { report: states.see, received: syncLater }));
};
