/**
 * An invariant: a rule of the protocol that must hold in every story, checked on the whole
 * history of a scenario, whatever the scenario asserts. docs/invariants.md is generated from these.
 */
import type { History } from './history.ts';

export interface Violation {
  /** The invariant broken, e.g. `INV-ONCE`. */
  invariant: string;
  /** The requirement it serves (docs/requirements.md). */
  requirement: string;
  /** The phone whose app broke it (the monitor blames apps, never the harness's scripted peers). */
  phone: string;
  /** What happened, in words for the implementer. */
  problem: string;
  /** The trace events (seq) that show it. */
  events: number[];
}

export interface Invariant {
  id: string;
  requirement: string;
  /** The rule, as docs/invariants.md states it. */
  text: string;
  check(history: History): Array<Omit<Violation, 'invariant' | 'requirement'>>;
}
