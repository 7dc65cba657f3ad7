/** A deliberately faulty credential app: Reports a stateful share completed when the receiver says `provisioned` before any final package was sent (breaks R-STATEFUL-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { completesWithoutPackage: true });
