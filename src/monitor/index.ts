/**
 * The protocol monitor: invariants that hold in any story, checked after every scenario in every
 * pass on the whole history the harness observed (src/monitor/history.ts), independently of what
 * the scenario asserts and of the reference app. A broken invariant fails the scenario, naming
 * the invariant, its requirement, the phone whose app broke it and the trace events that show
 * it; docs/invariants.md lists them (generated, `npm run docs`).
 */
import { historyOf, type History } from './history.ts';
import type { Invariant, Violation } from './invariant.ts';
import { CREDENTIAL } from './invariants/credential.ts';
import { PROVISIONING } from './invariants/provisioning.ts';
import { REPORTS } from './invariants/reports.ts';
import { RETRIES } from './invariants/retries.ts';
import type { Simulation } from '../sim/simulation.ts';

export type { Invariant, Violation } from './invariant.ts';
export { historyOf, type History } from './history.ts';

export const INVARIANTS: Invariant[] = [...PROVISIONING, ...CREDENTIAL, ...RETRIES, ...REPORTS];

/** Every invariant the history breaks. */
export function check(history: History, invariants: Invariant[] = INVARIANTS): Violation[] {
  return invariants.flatMap((inv) => inv.check(history).map((v) => ({ invariant: inv.id, requirement: inv.requirement, ...v })));
}

/** Checks a simulation's history; the violations, split by whose app broke them. */
export function monitor(sim: Simulation): { byAppUnderTest: Violation[]; byOthers: Violation[] } {
  const history = historyOf(sim);
  const violations = check(history);
  const underTest = new Set(history.phones.filter((p) => p.underTest).map((p) => p.name));
  return { byAppUnderTest: violations.filter((v) => underTest.has(v.phone)), byOthers: violations.filter((v) => !underTest.has(v.phone)) };
}

/** One line per violation, for a failure message. */
export function describeViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.invariant} (${v.requirement}): ${v.problem} [trace events ${v.events.join(', ')}]`).join('\n');
}
