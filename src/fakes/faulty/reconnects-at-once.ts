/** A deliberately faulty credential app: Tries again at once after a dropped connection or a lost response, waiting only after a 5xx or a 429: no scenario times those retries, so only the protocol monitor catches it (breaks INV-RETRY-SPACING, R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reconnectsAtOnce: true });
