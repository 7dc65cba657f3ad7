import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/sim/clock.ts';
import { Faults } from '../src/sim/faults.ts';
import { createRandom } from '../src/sim/random.ts';
import { Trace } from '../src/sim/trace.ts';

function plan(seed = 1) {
  const clock = new VirtualClock(0);
  const trace = new Trace(clock);
  return { clock, trace, faults: new Faults(trace, clock, createRandom(seed)) };
}

describe('fault plan', () => {
  it('applies a fault to the next N matching messages only, and only to its traffic', () => {
    const { faults } = plan();
    faults.add({ kind: 'http-error', status: 503 }, { from: 'alice' }, { count: 2 });
    expect(faults.onSend('bob', 'alice')).toBeUndefined();
    expect(faults.onSend('alice', 'bob')).toMatchObject({ status: 503 });
    expect(faults.onSend('alice', 'carol')).toMatchObject({ status: 503 });
    expect(faults.onSend('alice', 'bob')).toBeUndefined();
  });

  it('applies a windowed fault until its time is up', () => {
    const { faults, clock } = plan();
    faults.add({ kind: 'connection-error' }, { from: 'alice' }, { until: 60_000 });
    expect(faults.onSend('alice', 'bob')).toEqual({ kind: 'connection-error' });
    expect(faults.onSend('alice', 'bob')).toEqual({ kind: 'connection-error' });
    clock.moveTo(60_000);
    expect(faults.onSend('alice', 'bob')).toBeUndefined();
  });

  it('targets one device of an account', () => {
    const { faults } = plan();
    faults.add({ kind: 'lose-ack' }, { to: 'bob', toDevice: 2 });
    expect(faults.takeLostAck('bob', 1, 'g1')).toBe(false);
    expect(faults.takeLostAck('bob', 2, 'g2')).toBe(true);
    expect(faults.takeLostAck('bob', 2, 'g3')).toBe(false);
  });

  it('fills reorder windows one after another, for whichever recipients they match', () => {
    const { faults } = plan();
    faults.add({ kind: 'reorder', count: 2, order: 'reverse' }, { to: 'bob' });
    faults.add({ kind: 'reorder', count: 2, order: 'shuffle' }, { to: 'bob' });
    const windows = ['g1', 'g2', 'g3', 'g4', 'g5'].map((g) => faults.onQueued('alice', 'bob', 1, g).reorder?.ruleId);
    expect(windows).toEqual([1, 1, 2, 2, undefined]);
    expect(faults.releaseOrder(1, 3, 'reverse')).toEqual([2, 1, 0]);
  });

  it('draws jitter and shuffles from the seed, and writes every decision to the trace', () => {
    const decide = (seed: number) => {
      const { faults, trace } = plan(seed);
      faults.add({ kind: 'delay', ms: 1000, jitterMs: 60_000 }, {}, { count: 3 });
      const delays = [1, 2, 3].map((i) => faults.onQueued('a', 'b', 1, `g${i}`).deliverAt);
      return { delays, shuffle: faults.releaseOrder(9, 6, 'shuffle'), kinds: trace.events.map((e) => e.kind) };
    };
    expect(decide(7)).toEqual(decide(7));
    expect(decide(7).delays).not.toEqual(decide(8).delays);
    expect(decide(7).delays.every((d) => d >= 1000 && d <= 61_000)).toBe(true);
    expect(decide(7).kinds).toEqual(['fault.planned', 'fault.delay', 'fault.delay', 'fault.delay', 'fault.reorder-released']);
  });
});
