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
  /**
   * Pending timers as a binary min-heap ordered by (at, id): timers due at the same instant fire
   * in the order they were set. A heap, not a sorted list: a simulation of thousands of phones
   * holds thousands of timers (every share's expiration), and setting or clearing one must not
   * cost more as there are more.
   */
  private heap: Timer[] = [];
  /** Ids of timers set and neither fired nor cleared; a cleared one leaves the heap when it reaches the top. */
  private live = new Set<TimerId>();

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
    this.live.add(timer.id);
    this.heap.push(timer);
    this.up(this.heap.length - 1);
    return timer.id;
  }

  clearTimeout(id: TimerId): void {
    if (!this.live.delete(id)) return;
    // Cleared timers wait in the heap; when they are most of it, rebuild it without them.
    if (this.heap.length > 64 && this.live.size < this.heap.length / 2) {
      this.heap = this.heap.filter((t) => this.live.has(t.id));
      for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
    }
  }

  /** Removes and returns the earliest timer due at or before `until`, moving time to it. */
  takeDue(until: number): Timer | undefined {
    const first = this.first();
    if (!first || first.at > until) return undefined;
    this.pop();
    this.live.delete(first.id);
    if (first.at > this.current) this.current = first.at;
    return first;
  }

  /** Moves time forward (never back) without firing anything: the scheduler fires timers. */
  moveTo(instant: number): void {
    if (instant > this.current) this.current = instant;
  }

  /** When the next timer is due, if any. */
  nextTimerAt(): number | undefined {
    return this.first()?.at;
  }

  /** The earliest live timer, dropping cleared ones from the top. */
  private first(): Timer | undefined {
    while (this.heap.length && !this.live.has(this.heap[0]!.id)) this.pop();
    return this.heap[0];
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, heap[i]!)) return;
      [heap[i], heap[child]] = [heap[child]!, heap[i]!];
      i = child;
    }
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}
