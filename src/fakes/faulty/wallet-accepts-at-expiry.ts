/** A deliberately faulty credential app: Its wallet keeps a stateless credential valid through the expiration instant while the transfer refuses it from that instant: an invitation arriving at the very instant is refused and answered expired, yet provisioned, and only the protocol monitor catches it (breaks INV-BEFORE-EXPIRY, R-EXPIRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { walletAcceptsAtExpiry: true });
