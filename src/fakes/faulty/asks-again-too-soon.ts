/** A deliberately faulty credential app: Asks again for its signature first after 10 seconds, sooner than the protocol's 1 minute (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { asksAgainTooSoon: true });
