/** A deliberately faulty credential app: Still provisions an invitation that arrives at the very instant of its expiration, an off-by-one only a test at the edge sees (breaks R-EXPIRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { acceptsAtExpiry: true });
