/** A deliberately faulty credential app: Signs a new final package for every signing request instead of sending the one it made again (breaks R-IDEM-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { signsEveryRequest: true });
