/** A deliberately faulty credential app: Sends its cancel again, built afresh with a new message id, whenever the receiver writes about a share it cancelled: the receiver ignores the repeat, so only the protocol monitor catches it (breaks INV-ONE-ID, R-IDEM-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { resendsCancelWithNewId: true });
