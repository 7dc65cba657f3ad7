/** A conforming variant: never reports the optional states `received` (receiver) and `package-sent` (sender). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { reports: { skipsOptionalStates: true } });
