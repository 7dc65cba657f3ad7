/** A deliberately faulty credential app: Takes the user's confirmation of one peer's new safety number for every peer's: it sends what it held back for all of them (breaks R-IDENTITY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { releasesAllHeld: true });
