/** A deliberately faulty credential app: Answers a repeated signing request with its final package rebuilt from the stored invitation under the first package's message id, carrying the invitation's key-type request as credential data: the receiver drops it as a repeat, so only the protocol monitor catches it (breaks INV-EXACT, R-STATELESS-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { rebuildsRepeatedPackage: true });
