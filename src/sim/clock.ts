/**
 * Virtual time. Nothing in the simulation reads the wall clock: the server's timestamps, the
 * devices' and the credential apps' timers all come from here, and time moves only when the
 * scheduler advances it, so two days of protocol time cost nothing. The `Clock` apps are given
 * is declared with the contract (src/adapter/contract.ts).
 */
import type { Clock, TimerId } from '../adapter/contract.ts';
import { createRandom, hashString } from './random.ts';

export type { Clock, TimerId } from '../adapter/contract.ts';

interface Timer {
  id: TimerId;
  at: number;
  callback: () => void | Promise<void>;
}

/**
 * The range simulated time starts in: decades from any plausible real date, so an app that reads
 * `Date.now()` instead of its clock is years off (and off by an amount that changes with the
 * seed), and its expiry checks and timers go visibly wrong. (Date.UTC is pure: no wall clock.)
 */
export const EPOCH_RANGE = {
  from: Date.UTC(2040, 0, 1),
  /** Excluded. */
  until: Date.UTC(2090, 0, 1),
} as const;

/**
 * Where simulated time starts for a run with this seed: a whole second in EPOCH_RANGE drawn from
 * the seed alone, so every scenario of the run (and one replayed alone) starts at the same
 * instant and the same seed gives the same traces. A stream of its own: the scenarios' streams
 * (people, keys, faults) draw the same values as before.
 */
export function simulationEpoch(seed: number): number {
  const random = createRandom(hashString('simulation epoch', seed >>> 0));
  const seconds = (EPOCH_RANGE.until - EPOCH_RANGE.from) / 1000;
  return EPOCH_RANGE.from + random.int(0, seconds - 1) * 1000;
}

export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  // Kept sorted by (at, id): timers due at the same instant fire in the order they were set.
  private timers: Timer[] = [];

  /** `start`: milliseconds since the Unix epoch; a simulation passes simulationEpoch(seed). */
  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void | Promise<void>, ms: number): TimerId {
    if (!Number.isFinite(ms) || ms < 0) ms = 0;
    ms = Math.ceil(ms); // whole milliseconds only: see Clock
    const timer = { id: this.nextId++, at: this.current + ms, callback };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > timer.at) i--;
    this.timers.splice(i, 0, timer);
    return timer.id;
  }

  clearTimeout(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Removes and returns the earliest timer due at or before `until`, moving time to it. */
  takeDue(until: number): Timer | undefined {
    const first = this.timers[0];
    if (!first || first.at > until) return undefined;
    this.timers.shift();
    if (first.at > this.current) this.current = first.at;
    return first;
  }

  /** Moves time forward (never back) without firing anything: the scheduler fires timers. */
  moveTo(instant: number): void {
    if (instant > this.current) this.current = instant;
  }

  /** When the next timer is due, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }
}
