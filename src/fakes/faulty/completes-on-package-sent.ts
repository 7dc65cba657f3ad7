/** A deliberately faulty credential app: Reports a stateful share completed as soon as the server took its final package, before the receiver answered that it provisioned it: the answer comes moments later, so only the protocol monitor catches it (breaks INV-COMPLETED-MEANS-PROVISIONED, R-STATELESS-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { completesOnPackageSent: true });
