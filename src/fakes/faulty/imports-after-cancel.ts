/**
 * A deliberately faulty credential app: an inbox job, 12 hours after a stateless invitation
 * arrived, imports it into the wallet (a `provisioned` report) if the app neither imported nor
 * refused it, meant for invitations that came while the wallet was locked. It forgets the
 * transfers it ended as cancelled: an invitation that arrived after its cancel, never imported on
 * purpose, is imported late.
 *
 * The stories where a cancel overtakes its invitation check that nothing was provisioned before
 * they end; only the protocol monitor, judging the aftermath, sees the late import (breaks
 * INV-AFTER-CANCEL, R-CANCEL-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import type { ProtocolMessage } from '../../protocol/messages.ts';
import { LATE_JOB_MS, ReportedStates, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const states = new ReportedStates('receiver');
  const importLater = (m: ProtocolMessage, from: { aci: string }) => {
    if (m.type !== 'ShareInvitation' || m.flow !== 'stateless') return;
    ctx.clock.setTimeout(() => {
      if (states.hasProvisioned(m.transferId) || states.state(m.transferId) === 'failed') return;
      ctx.report({ type: 'provisioned', transferId: m.transferId, from: from.aci, format: m.format, title: m.displayInformation.title, provisioningInformation: m.provisioningInformation });
    }, LATE_JOB_MS);
  };
  return createReferenceApp(watched(ctx, { report: states.see, received: importLater }));
};
