/**
 * A deliberately faulty credential app: each credential it provisions is handed to a wallet-sync
 * job that runs 12 hours later to make sure the credential made it into the wallet, and the job
 * adds it (a `provisioned` report) again without checking that it is already there, as a
 * WorkManager job written for the case the first write was interrupted would.
 *
 * No story runs 12 hours past a provision, so every scripted "provisions exactly once" has been
 * checked before the job runs: only the protocol monitor, judging the aftermath, sees the second
 * provision (breaks INV-ONCE, R-ONCE-1).
 */
import type { AppEvent, CredentialAppContext } from '../../adapter/contract.ts';
import { LATE_JOB_MS, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const syncLater = (event: AppEvent) => {
    if (event.type === 'provisioned') ctx.clock.setTimeout(() => ctx.report(event), LATE_JOB_MS);
  };
  return createReferenceApp(watched(ctx, { report: syncLater }));
};
