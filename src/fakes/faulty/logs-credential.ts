/** A deliberately faulty credential app: Writes the credential it provisions into its log: only the protocol monitor catches it (breaks INV-SECRET-KEPT, R-CONF-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { logsCredential: true });
