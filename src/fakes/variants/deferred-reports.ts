/** A conforming variant: makes every report through a 0 ms timer on the clock, after the effect, rather than at once (so `invited` comes after share() resolves). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { reports: { deferred: true } });
