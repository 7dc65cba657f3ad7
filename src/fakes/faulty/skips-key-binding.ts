/** A deliberately faulty credential app: Provisions a final package signed over any key, not only the one it generated (breaks R-STATEFUL-2). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { skipsKeyBinding: true });
