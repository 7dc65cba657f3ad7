/** A deliberately faulty credential app: Reports `received` for every invitation before looking at its transfer, so a resend (new message id) of one it provisioned reports the transfer received after it ended: only the protocol monitor catches it (breaks INV-FINAL, R-ONCE-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reportsReceivedAgain: true });
