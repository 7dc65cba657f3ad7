/** A deliberately faulty credential app: Answers a signing request even in a stateless share, sending the credential again in a final package (breaks R-STATEFUL-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { signsStatelessShares: true });
