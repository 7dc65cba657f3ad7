/** A deliberately faulty credential app: Each time it asks again for its key to be signed it asks twice at once, under two message ids (its re-request timer armed twice): the sender answers both with the one package, so only the protocol monitor catches it (breaks INV-ASKS-AGAIN, R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { rerequestsTwice: true });
