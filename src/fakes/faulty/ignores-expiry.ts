/** A deliberately faulty credential app: Provisions invitations whose expiration has passed (breaks R-EXPIRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { ignoresExpiry: true });
