/**
 * The run's seed: `SCT_SEED` when set (to replay a run), otherwise a fresh one. The CLI picks and
 * prints it before Cucumber starts, and passes it down in `SCT_SEED`.
 */
import { freshSeed, parseSeed } from './sim/random.ts';

export function runSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.SCT_SEED?.trim();
  if (given) return parseSeed(given);
  const seed = freshSeed();
  env.SCT_SEED = String(seed);
  return seed;
}
