/** A deliberately faulty credential app: Acts on messages about a transfer from any account, not only its sender (breaks R-THIRD-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { trustsAnySender: true });
