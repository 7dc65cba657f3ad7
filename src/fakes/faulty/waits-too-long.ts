/** A deliberately faulty credential app: Waits 8 minutes between attempts, longer than the protocol's 5 (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { waitsTooLong: true });
