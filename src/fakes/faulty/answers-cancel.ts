/** A deliberately faulty credential app: Answers the sender's ShareCancel with a TransferComplete `failed` / `cancelled`, telling a sender who withdrew the share that the invitation reached this phone (breaks R-CANCEL-1, docs/protocol.md D4). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { answersCancel: true });
