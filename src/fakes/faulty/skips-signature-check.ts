/** A deliberately faulty credential app: Provisions a final package without verifying its signature (breaks R-STATEFUL-3). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { skipsSignatureCheck: true });
