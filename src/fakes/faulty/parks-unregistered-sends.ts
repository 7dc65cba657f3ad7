/**
 * A deliberately faulty credential app: when a send is refused because the recipient is not on
 * Signal (404), it takes the recipient for someone in the middle of reinstalling Signal and parks the message for a job that tries it once more 12 hours
 * later (the app itself still reports the share failed, as the protocol asks).
 *
 * The story where a recipient's account vanishes mid-transfer counts the attempts at the final
 * package before it ends; the parked attempt comes after, and only the protocol monitor, judging
 * the aftermath, sees the message tried again after a permanent failure (breaks
 * INV-NO-HOPELESS-RETRY, R-RETRY-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { LATE_JOB_MS, watched } from '../late-jobs.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => {
  const park = (to: string, bytes: Uint8Array, error: unknown) => {
    if ((error as { kind?: string }).kind !== 'not-registered') return;
    ctx.clock.setTimeout(() => ctx.signal.send(to, bytes).then(() => undefined, () => undefined), LATE_JOB_MS);
  };
  return createReferenceApp(watched(ctx, { failed: park }));
};
