/** A conforming variant: reports the `provisioned` state before the `provisioned` event. */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { reports: { stateBeforeProvisioned: true } });
