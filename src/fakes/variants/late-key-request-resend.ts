/** A conforming variant: a receiver still waiting asks again for its signature exactly 2 hours after the first request (the latest allowed), then 4 h, 8 h... */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { keyRequestResendMs: (k) => 2 * 3_600_000 * 2 ** (k - 1) });
