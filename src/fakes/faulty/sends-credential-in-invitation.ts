/**
 * A deliberately faulty credential app: puts the credential data in its stateful invitation too,
 * so the receiver could show it while the key is being signed. The credential reaches the
 * receiving account unbound, before any device is bound to it (breaks
 * INV-PROVISIONED-AFTER-PACKAGE, R-STATEFUL-1). No step looks inside a stateful invitation:
 * only the protocol monitor sees it.
 */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { sendsCredentialInInvitation: true });
