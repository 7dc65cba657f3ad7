/** A deliberately faulty credential app: Answers only the first signing request of a share: when the final package is lost, the receiver's request sent again gets nothing (breaks R-IDEM-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { answersFirstRequestOnly: true });
