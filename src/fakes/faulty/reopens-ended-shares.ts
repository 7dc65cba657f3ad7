/** A deliberately faulty credential app: Keeps acting on a share after it ended: a late signing request gets the final package again, a late answer changes the outcome (breaks R-ONCE-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reopensEndedShares: true });
