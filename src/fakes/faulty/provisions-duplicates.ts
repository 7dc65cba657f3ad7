/** A deliberately faulty credential app: Provisions every invitation it receives, even a repeat of one it already provisioned (breaks R-ONCE-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { noDedupe: true });
