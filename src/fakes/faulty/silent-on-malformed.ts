/** A deliberately faulty credential app: Refuses a malformed invitation without telling the sender (breaks R-VALID-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { silentOnMalformed: true });
