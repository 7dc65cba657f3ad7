/** A deliberately faulty credential app: Forgets nothing when its user cancels: a final package held for the receiver's new safety number, or waiting for a retry, still goes out after the cancel (breaks R-CANCEL-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { sendsAfterCancel: true });
