/** A deliberately faulty credential app: Retries a send answered 404 (recipient not registered) with backoff before giving up, in case the account comes back: the share still fails as not-on-signal, so only the protocol monitor catches it (breaks INV-NO-HOPELESS-RETRY, R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { retriesNotRegistered: true });
