/** A deliberately faulty credential app: Sends to a peer whose identity key changed without waiting for the user to confirm it (breaks R-IDENTITY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { ignoresIdentityChange: true });
