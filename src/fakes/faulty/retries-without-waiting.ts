/** A deliberately faulty credential app: Tries again after 0 to 100 ms, hammering the server, instead of waiting at least 500 ms (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { retriesWithoutWaiting: true });
