/**
 * The reference credential app's adapter module: what `SCT_ADAPTER` defaults to. The app itself
 * is in `reference/` (app.ts and its sender and receiver state machines).
 */
import type { CredentialApp, CredentialAppContext } from '../adapter/contract.ts';
import { createReferenceApp } from './reference/app.ts';

export { createReferenceApp, type Flaws } from './reference/app.ts';
export type { ChoiceOverrides } from './reference/choices.ts';

export default function createCredentialApp(ctx: CredentialAppContext): CredentialApp {
  return createReferenceApp(ctx);
}
