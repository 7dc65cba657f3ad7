/**
 * The clock the reference app uses: the simulated one it is given, or, for the deliberately
 * faulty apps `reads-wall-clock` and `real-timers`, the wall clock an app must never use
 * (src/adapter/contract.ts, Clock). Their own bug, on purpose: the only `Date.now()` and real
 * `setTimeout` in any app of this repository.
 */
import type { Clock, TimerId } from '../../adapter/contract.ts';

export interface ClockFlaws {
  /** Takes now() from `Date.now()` instead of its clock: decides expiry (and times its timers) by the real date. */
  readsWallClock?: boolean;
  /** Sets its timers (retries, re-requests, expiry) with the real `setTimeout` instead of its clock's. */
  realTimers?: boolean;
}

/** The clock the app uses: `given`, unless a flaw swaps a part of it for the wall clock. */
export function clockWithFlaws(given: Clock, flaws: ClockFlaws): Clock {
  if (!flaws.readsWallClock && !flaws.realTimers) return given;
  // Stryker disable all: from here on, only the faulty apps reads-wall-clock and real-timers
  return {
    now: flaws.readsWallClock ? () => Date.now() : () => given.now(),
    ...(flaws.realTimers ? realTimers() : { setTimeout: (callback, ms) => given.setTimeout(callback, ms), clearTimeout: (id) => given.clearTimeout(id) }),
  };
}

/** Timers on real time, numbered like the Clock's (a Node timer is an object). */
function realTimers(): Pick<Clock, 'setTimeout' | 'clearTimeout'> {
  const timers = new Map<TimerId, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(callback, ms) {
      const id = next++;
      timers.set(id, setTimeout(() => {
        timers.delete(id);
        void callback();
      }, ms));
      return id;
    },
    clearTimeout(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
  };
}
// Stryker restore all
