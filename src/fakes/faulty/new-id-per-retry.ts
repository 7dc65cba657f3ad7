/** A deliberately faulty credential app: Builds each retry afresh with a new message id: the receiver still provisions once, so only the protocol monitor catches it (breaks INV-ONE-ID, R-IDEM-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { newIdPerRetry: true });
