/** A conforming variant: retries as fast and as few times as allowed (3 attempts, every wait exactly 500 ms, no backoff). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

export default (ctx: CredentialAppContext) =>
  createReferenceApp(ctx, {}, { retry: { attempts: 3, baseMs: 500, growth: 1, capMs: 500, jitter: (backoff) => backoff } });
