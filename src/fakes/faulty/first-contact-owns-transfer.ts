/** A deliberately faulty credential app: The first account to write about a transfer id owns it until an invitation from another account voids it, so a forged cancel overtaking the real cancel and the invitation makes the real cancel ignored and the cancelled share provisioned (breaks R-CANCEL-1, R-THIRD-1; found by exploration in the reference app itself). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { firstContactOwnsTransfer: true });
