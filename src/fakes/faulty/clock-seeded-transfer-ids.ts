/**
 * A deliberately faulty credential app: makes each transfer id with a random generator seeded
 * from the clock's milliseconds, so two shares started in the same millisecond (Alice shares with
 * Bob and with Carol at once) get the same transfer id (breaks INV-UNIQUE-TRANSFER, R-ONCE-1).
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { clockSeededTransferIds: true });
