/** A deliberately faulty credential app: Tries 30 times before giving up, more than the protocol's 20 (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { tooManyRetries: true });
