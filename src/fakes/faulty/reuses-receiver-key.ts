/** A deliberately faulty credential app: Asks to have the same receiver key signed for every stateful transfer: each package still verifies, so only the protocol monitor catches it (breaks INV-FRESH-KEY, R-STATEFUL-2). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reusesReceiverKey: true });
