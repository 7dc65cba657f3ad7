/**
 * Simulated time starts far from the real date, at an instant the seed picks (src/sim/clock.ts):
 * an app reading `Date.now()` is years off. Everything that handles dates (libsignal's key
 * records and sessions, the RFC 3339 expiration, the trace) must work anywhere in the range.
 */
import { describe, expect, it } from 'vitest';
import { KEMKeyPair, KyberPreKeyRecord, PrivateKey, SignedPreKeyRecord } from '@signalapp/libsignal-client';
import { EPOCH_RANGE, simulationEpoch } from '../src/sim/clock.ts';
import { aliceAndBob, simulation, withReferenceApps } from './helpers.ts';

const YEAR = 365.25 * 86_400_000;
const HOUR = 3_600_000;
/** The first and the last instant a run can start at. */
const EDGES = [EPOCH_RANGE.from, EPOCH_RANGE.until - 1000];

describe('the simulated epoch', () => {
  it('is the same for one seed, changes with the seed, and is a whole second in 2040-2089', () => {
    const seeds = Array.from({ length: 200 }, (_, i) => i * 7919);
    for (const seed of seeds) {
      const start = simulationEpoch(seed);
      expect(simulationEpoch(seed)).toBe(start);
      expect(start % 1000).toBe(0);
      expect(start).toBeGreaterThanOrEqual(EPOCH_RANGE.from);
      expect(start).toBeLessThan(EPOCH_RANGE.until);
    }
    const starts = seeds.map(simulationEpoch);
    expect(new Set(starts).size).toBe(seeds.length);
    // Spread over the range, not bunched: the years cover most of the fifty.
    expect(new Set(starts.map((s) => new Date(s).getUTCFullYear())).size).toBeGreaterThan(35);
  });

  it('is years away from the real date, by an amount that depends on the seed', () => {
    // The one place the wall clock is read on purpose: to prove simulated time is far from it.
    const real = Date.now();
    const gaps = [1, 2, 3, 4, 5].map((seed) => simulationEpoch(seed) - real);
    for (const gap of gaps) expect(Math.abs(gap)).toBeGreaterThan(10 * YEAR);
    expect(new Set(gaps).size).toBe(gaps.length);
  });

  it('is where every scenario of a run starts: one start per seed, whatever the scenario', () => {
    const a = simulation({ seed: 42, name: 'one scenario' });
    const b = simulation({ seed: 42, name: 'another scenario' });
    const c = simulation({ seed: 43, name: 'one scenario' });
    expect(a.clock.now()).toBe(simulationEpoch(42));
    expect(b.clock.now()).toBe(a.clock.now());
    expect(c.clock.now()).not.toBe(a.clock.now());
  });

  it('libsignal keeps key record timestamps anywhere in the range', () => {
    for (const at of EDGES) {
      const signed = PrivateKey.generate();
      const identity = PrivateKey.generate();
      const pub = signed.getPublicKey();
      expect(SignedPreKeyRecord.new(1, at, pub, signed, identity.sign(pub.serialize())).timestamp()).toBe(at);
      const kem = KEMKeyPair.generate();
      expect(KyberPreKeyRecord.new(2, at, kem, identity.sign(kem.getPublicKey().serialize())).timestamp()).toBe(at);
    }
  });

  it.each(EDGES)('a stateful share completes over real libsignal sessions when time starts at %i', async (start) => {
    const { sim, alice, bob } = await aliceAndBob({ seed: 3, start });
    await withReferenceApps(sim, alice, bob);
    const request = sim.data.credential('car key', { recipient: bob.device.number, flow: 'stateful', expiresAt: start + 24 * HOUR });
    const transferId = await sim.share(alice, request);
    await sim.settle();
    expect(bob.provisioned()).toHaveLength(1);
    expect(alice.stateOf(transferId)).toBe('completed');
    // The expiration went out in RFC 3339 and came back as the same instant (2090 included).
    const [invitation] = sim.protocolMessages(bob, 'received', transferId, 'ShareInvitation');
    expect(Date.parse(invitation!.expiration)).toBe(request.expiresAt);
    expect(sim.trace.events[0]!.at).toBe(new Date(start).toISOString());
    expect(sim.trace.find('device.decrypt-failed')).toEqual([]);
  });

  it.each(EDGES)('an invitation whose expiration passed is refused when time starts at %i', async (start) => {
    const { sim, alice, bob } = await aliceAndBob({ seed: 4, start });
    await withReferenceApps(sim, alice, bob);
    bob.device.goOffline();
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: start + HOUR });
    const transferId = await sim.share(alice, request);
    await sim.advance(HOUR);
    bob.device.goOnline();
    await sim.settle();
    expect(bob.provisioned()).toEqual([]);
    expect(alice.stateOf(transferId)).toBe('failed');
  });
});
