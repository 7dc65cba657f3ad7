/** A deliberately faulty credential app: Keeps what it held back after sending it on the user's confirmation: when the peer's identity changes again and is confirmed again, the final package goes out twice (breaks R-IDEM-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { keepsReleasedMessages: true });
