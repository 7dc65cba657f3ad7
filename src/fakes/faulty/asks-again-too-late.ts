/** A deliberately faulty credential app: Asks again for its signature first after 3 hours, later than the protocol's 2 (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { asksAgainTooLate: true });
