/**
 * A deliberately faulty credential app: takes a transfer id for good only once an invitation
 * goes out, so a share that failed before sending anything (Bob is not on Signal) hands its id to
 * Alice's next share (breaks INV-UNIQUE-TRANSFER, R-ONCE-1). Every scenario's steps pass: the
 * failed share left no traffic to confuse; only the protocol monitor sees two shares with one id.
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { reusesUnsentTransferIds: true });
