/** A deliberately faulty credential app: Ends every share still waiting for the receiver's answer as `failed` / `expired` at the expiration, so a credential the receiver provisioned in time shows as expired on the sender's phone (breaks R-EXPIRY-1, docs/protocol.md D3). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { expiresUnansweredShares: true });
