/**
 * `--shard i/n`: one of n parts of a run, for CI machines running the suite in parallel. The n
 * shards of the same plan together are exactly the whole plan, with no scenario run in two.
 *
 * The split depends only on the planned scenario runs (features, selection and passes), never on
 * the seed nor on the order Cucumber lists them in: they are sorted by feature file, line and
 * pass, and dealt round-robin, so the shards differ in size by at most one and a scenario's two
 * passes (adjacent in that order) usually land on different machines. A scenario's data comes
 * from the seed and its own name (src/sim/simulation.ts), not from what ran before it, so it
 * runs, and replays, the same in any shard and in the whole run.
 */
import { UsageError } from './exit-codes.ts';
import type { PlannedScenario } from './plan.ts';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Reads `i/n` (1 <= i <= n); anything else is a usage error naming the problem. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`--shard "${text}" is not of the form i/n (shard i of n, e.g. --shard 1/4)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new UsageError(`--shard "${text}": the number of shards must be at least 1`);
  if (index < 1 || index > count) throw new UsageError(`--shard "${text}": the shard must be between 1 and ${count} (shards are numbered from 1)`);
  return { index, count };
}

/** The planned scenario runs of `shard`, in plan order. A shard left with nothing is a usage error. */
export function selectShard(plan: PlannedScenario[], shard: Shard): PlannedScenario[] {
  const order = plan
    .map((s, at) => ({ s, at }))
    .sort((a, b) => (a.s.uri < b.s.uri ? -1 : a.s.uri > b.s.uri ? 1 : a.s.line - b.s.line || (a.s.role < b.s.role ? -1 : a.s.role > b.s.role ? 1 : 0)));
  const mine = new Set(order.filter((_, i) => i % shard.count === shard.index - 1).map(({ at }) => at));
  const selected = plan.filter((_, at) => mine.has(at));
  if (selected.length === 0) {
    throw new UsageError(`shard ${shard.index} of ${shard.count} has no scenario: the selection has only ${plan.length} scenario run(s), so use at most ${plan.length} shard(s)`);
  }
  return selected;
}
