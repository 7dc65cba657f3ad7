/** A deliberately faulty credential app: Sets its timers (retries, re-requests, expiry) with the real setTimeout instead of its clock's (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { realTimers: true });
