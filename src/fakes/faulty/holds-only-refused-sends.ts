/** A deliberately faulty credential app: Holds back only the sends Signal refused: once Signal lets sends to a changed identity through, they go out unconfirmed (breaks R-IDENTITY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { holdsOnlyRefusedSends: true });
