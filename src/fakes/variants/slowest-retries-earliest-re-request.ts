/** A conforming variant: retries as slowly as allowed (20 attempts, every wait exactly 5 minutes) and asks again for its signature as soon as allowed (after 1 minute, then 2, 4...). */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

const MINUTE = 60_000;

export default (ctx: CredentialAppContext) =>
  createReferenceApp(ctx, {}, {
    retry: { attempts: 20, baseMs: 5 * MINUTE, growth: 1, capMs: 5 * MINUTE, jitter: (backoff) => backoff },
    keyRequestResendMs: (k) => MINUTE * 2 ** (k - 1),
  });
