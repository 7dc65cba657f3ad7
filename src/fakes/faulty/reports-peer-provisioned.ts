/** A deliberately faulty credential app: When the receiver answers that it provisioned a share, the sending phone reports the credential provisioned too, as a receipt: a credential on a phone the invitation never went to, whose reports no step reads, so only the protocol monitor catches it (breaks INV-INVITED-ONLY, R-THIRD-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reportsPeerProvisioned: true });
