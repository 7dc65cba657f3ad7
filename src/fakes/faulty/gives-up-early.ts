/** A deliberately faulty credential app: Gives up after 2 attempts, fewer than the protocol's 3 (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { givesUpEarly: true });
