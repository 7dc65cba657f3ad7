/** A conforming variant: 20 attempts, the most the protocol allows, with waits growing to 5 minutes, the longest allowed. */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { retry: { attempts: 20, capMs: 5 * 60_000 } });
