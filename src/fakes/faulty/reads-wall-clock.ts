/** A deliberately faulty credential app: Takes now() from Date.now() instead of its clock, so it decides expiry by the real date (breaks R-EXPIRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { readsWallClock: true });
