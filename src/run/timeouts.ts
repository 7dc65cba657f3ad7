/** The real-time limits of a run (`--timeout`), shared by `run` and `interop`. */
import { UsageError } from './exit-codes.ts';

const DEFAULT_TIMEOUT_S = 60;
/** Real time an adapter module may take to load (a top-level await that never settles). */
const LOAD_TIMEOUT_MS = 30_000;

/** The limits for `--timeout <seconds>` as given (the default when not); a usage error names a bad value. */
export function runTimeouts(given: string | undefined): { scenarioTimeoutMs: number; loadTimeoutMs: number } {
  const seconds = given === undefined ? DEFAULT_TIMEOUT_S : Number(given);
  if (!(seconds > 0)) throw new UsageError(`--timeout "${given}" is not a positive number of seconds`);
  return { scenarioTimeoutMs: seconds * 1000, loadTimeoutMs: Math.min(LOAD_TIMEOUT_MS, seconds * 1000) };
}
