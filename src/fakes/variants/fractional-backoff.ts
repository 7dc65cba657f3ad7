/** A conforming variant: waits of 750.25 ms x 1.7^n (up to 90 s) with "full jitter" kept above 500 ms, in fractional milliseconds. */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

const MIN_WAIT_MS = 500;

export default (ctx: CredentialAppContext) =>
  createReferenceApp(ctx, {}, {
    retry: {
      baseMs: 750.25,
      growth: 1.7,
      capMs: 90_000,
      // Anywhere from the protocol's minimum to the backoff, unrounded: the clock rounds up.
      jitter: (backoff, random) => MIN_WAIT_MS + random() * (backoff - MIN_WAIT_MS),
    },
  });
