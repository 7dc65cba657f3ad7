/**
 * Virtual time. Nothing in the simulation reads the wall clock: the server's timestamps, the
 * devices' and the credential apps' timers all come from here, and time moves only when the
 * scheduler advances it, so two days of protocol time cost nothing. The `Clock` apps are given
 * is declared with the contract (src/adapter/contract.ts).
 */
import type { Clock, TimerId } from '../adapter/contract.ts';

export type { Clock, TimerId } from '../adapter/contract.ts';

interface Timer {
  id: TimerId;
  at: number;
  callback: () => void | Promise<void>;
}

/** Where simulated time starts: a fixed instant, so traces do not depend on the day they ran. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 15, 9, 0, 0);

export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  // Kept sorted by (at, id): timers due at the same instant fire in the order they were set.
  private timers: Timer[] = [];

  constructor(start = SIMULATION_EPOCH) {
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
