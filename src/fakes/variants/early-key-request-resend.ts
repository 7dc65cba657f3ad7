/** A conforming variant: a receiver still waiting asks again for its signature after 15 minutes, then 30, 60... */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { keyRequestResendMs: (k) => 15 * 60_000 * 2 ** (k - 1) });
