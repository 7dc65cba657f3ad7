/** A deliberately faulty credential app: Holds the final package for a new safety number, as it must, but sends it when the user confirms even if the share expired meanwhile (breaks R-EXPIRY-1; found by exploration in the reference app itself). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { sendsHeldPastExpiry: true });
