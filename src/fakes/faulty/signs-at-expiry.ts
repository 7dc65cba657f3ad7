/** A deliberately faulty credential app: Still signs a signing request that arrives at the very instant of the expiration, an off-by-one only a test at the edge sees (breaks R-EXPIRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { signsAtExpiry: true });
