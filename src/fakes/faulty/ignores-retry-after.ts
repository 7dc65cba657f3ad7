/** A deliberately faulty credential app: Retries on its own backoff even when the server said Retry-After (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { ignoresRetryAfter: true });
