import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/sim/clock.ts';
import { createRandom } from '../src/sim/random.ts';

/** Fires every timer due up to `until`, in the clock's order. */
function drain(clock: VirtualClock, until: number): void {
  for (let t = clock.takeDue(until); t; t = clock.takeDue(until)) void t.callback();
}

describe('virtual clock with thousands of timers', () => {
  it('fires them in (time, order set) order, ties included, never a cleared one, also after most were cleared', () => {
    const random = createRandom(3);
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    const set: Array<{ n: number; at: number; id: number }> = [];
    // Few distinct instants, so most timers tie with others.
    for (let n = 0; n < 3000; n++) {
      const at = random.int(0, 40) * 1000;
      set.push({ n, at, id: clock.setTimeout(() => void fired.push(n), at) });
    }
    const cleared = new Set(set.filter((_, i) => i % 3 !== 0).map((t) => t.n));
    for (const t of set) if (cleared.has(t.n)) clock.clearTimeout(t.id);
    clock.clearTimeout(set[1]!.id); // twice: nothing more happens
    // Timers set after the clearing (the heap was rebuilt) join the same order.
    for (let n = 3000; n < 3300; n++) {
      const at = random.int(0, 40) * 1000;
      set.push({ n, at, id: clock.setTimeout(() => void fired.push(n), at) });
    }
    const expected = set.filter((t) => !cleared.has(t.n)).sort((a, b) => a.at - b.at || a.id - b.id);
    expect(clock.nextTimerAt()).toBe(expected[0]!.at);
    drain(clock, 20_000);
    expect(clock.nextTimerAt()).toBeGreaterThan(20_000);
    drain(clock, Infinity);
    expect(fired).toEqual(expected.map((t) => t.n));
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
