/** A conforming variant: gives up after 3 attempts, the fewest the protocol allows. */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { retry: { attempts: 3 } });
