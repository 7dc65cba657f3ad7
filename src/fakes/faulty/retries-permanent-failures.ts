/** A deliberately faulty credential app: Tries a message again after a permanent failure (404: the recipient's account is gone; 401; 413) as if it were passing (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { retriesPermanentFailures: true });
