/**
 * Exploration runs: the provisioning story under randomly generated fault plans (plan.ts),
 * judged by the protocol monitor and liveness (story.ts, liveness.ts). fast-check generates the
 * plans from one seed, and shrinks a failing plan to a smaller one that still fails before it is
 * shown; the seed and fast-check's path to the shrunk plan replay it exactly.
 */
import fc from 'fast-check';
import { planArbitrary, type Plan } from './plan.ts';
import { playPlan, type Apps, type Verdict } from './story.ts';

export { describePlan, type Plan } from './plan.ts';
export type { Apps, Verdict } from './story.ts';

export interface ExploreOptions {
  /** How many plans to try. */
  runs: number;
  /** fast-check's seed: the same seed generates the same plans. */
  seed: number;
  /** fast-check's path to one plan (from a counterexample): replays that plan alone. */
  path?: string;
  roles?: Array<Plan['role']>;
  /** Real milliseconds before a hanging app call is reported. */
  hangMs?: number;
  /** Called after each plan played (the shrinking ones too). */
  onRun?: (plan: Plan, verdict: Verdict) => void;
}

export interface Counterexample {
  plan: Plan;
  verdict: Verdict;
  /** With the run's seed, replays this plan: `--seed <seed> --path <path>`. */
  path: string;
  /** How many smaller failing plans fast-check found on the way. */
  shrinks: number;
}

export interface ExploreResult {
  /** Plans tried before the first counterexample (or all of them). */
  runs: number;
  counterexample?: Counterexample;
  /** Problems that were not the app's (the harness or the reference peer), with their plans. */
  harness: Array<{ plan: Plan; problems: string[] }>;
}

export async function explore(apps: Apps, options: ExploreOptions): Promise<ExploreResult> {
  const harness: ExploreResult['harness'] = [];
  const verdicts = new WeakMap<Plan, Verdict>();
  const property = fc.asyncProperty(planArbitrary(options.roles), async (plan) => {
    const verdict = await playPlan(plan, apps, options.hangMs);
    verdicts.set(plan, verdict);
    if (verdict.harness.length) harness.push({ plan, problems: verdict.harness });
    options.onRun?.(plan, verdict);
    return verdict.app.length === 0;
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path ? { path: options.path, endOnFailure: true } : {}),
    // The plans are the interesting values; fast-check's own report is not printed.
    verbose: 0,
  });
  if (details.failed && details.counterexample) {
    const [plan] = details.counterexample;
    const verdict = verdicts.get(plan) ?? { app: [`the property threw: ${String(details.errorInstance)}`], harness: [] };
    return {
      runs: details.numRuns,
      counterexample: { plan, verdict, path: details.counterexamplePath ?? '', shrinks: details.numShrinks },
      harness,
    };
  }
  if (details.failed) throw new Error(`fast-check stopped without a counterexample (${details.interrupted ? "interrupted" : "too many skipped plans"})`);
  return { runs: details.numRuns, harness };
}
