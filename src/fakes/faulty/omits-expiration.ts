/** A deliberately faulty credential app: Sends invitations without their mandatory expiration (breaks R-EXPIRY-1; the reference receiver reports it under R-VALID-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { omitsExpiration: true });
