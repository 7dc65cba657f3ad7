/** A deliberately faulty credential app: Sends an unanswered invitation again (same message id) every 15 minutes until it expires, with no cap: a share waiting a day for an offline phone is sent about 96 times, which only the protocol monitor counts (breaks INV-RETRY-BUDGET, R-RETRY-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { resendsUntilAnswered: true });
