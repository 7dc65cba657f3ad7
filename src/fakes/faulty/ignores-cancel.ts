/** A deliberately faulty credential app: Keeps going after the sender cancelled (breaks R-CANCEL-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { ignoresCancel: true });
