/** A deliberately faulty credential app: Acts on messages about a transfer from any account, not only its two parties: a cancel or final package from a third account at a receiver, a signing request or answer at a sender (breaks R-THIRD-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { trustsAnySender: true });
