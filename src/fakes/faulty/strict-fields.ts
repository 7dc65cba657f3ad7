/** A deliberately faulty credential app: Refuses invitations carrying fields it does not know (breaks R-COMPAT-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { strictFields: true });
