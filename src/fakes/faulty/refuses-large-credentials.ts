/** A deliberately faulty credential app: Refuses as malformed a credential over 16 KiB, a stricter limit than the protocol's 64 KiB (breaks R-VALID-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { refusesLargeCredentials: true });
