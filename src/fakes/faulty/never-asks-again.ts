/** A deliberately faulty credential app: Never sends its signing request again while it waits for the final package (breaks R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { neverAsksAgain: true });
