/** A deliberately faulty credential app: Signs a final package for every device of the receiver that asks, binding the share to none (breaks R-DEVICE-1). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, { bindsNoDevice: true });
