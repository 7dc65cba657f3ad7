import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/sim/clock.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import { Trace } from '../src/sim/trace.ts';
import { findLeaks } from '../src/sim/confidentiality.ts';
import { aliceAndBob, request, simulation, utf8, withReferenceApps } from './helpers.ts';

describe('virtual clock and scheduler', () => {
  it('fires timers in time order as time advances, never early, without real waiting', async () => {
    const clock = new VirtualClock(0);
    const scheduler = new Scheduler(clock, new Trace(clock));
    const fired: string[] = [];
    clock.setTimeout(() => void fired.push(`b@${clock.now()}`), 2 * 86_400_000);
    clock.setTimeout(() => void fired.push(`a@${clock.now()}`), 1000);
    const cancelled = clock.setTimeout(() => void fired.push('never'), 500);
    clock.clearTimeout(cancelled);
    await scheduler.advance(999);
    expect(fired).toEqual([]);
    await scheduler.advance(2 * 86_400_000);
    expect(fired).toEqual(['a@1000', `b@${2 * 86_400_000}`]);
    expect(clock.now()).toBe(999 + 2 * 86_400_000);
  });

  it('records a task that throws as a failure naming it', async () => {
    const clock = new VirtualClock(0);
    const scheduler = new Scheduler(clock, new Trace(clock));
    scheduler.schedule('delivery to Bob', () => {
      throw new Error('boom');
    });
    await scheduler.runUntilQuiet();
    expect(() => scheduler.throwIfFailed()).toThrow(/delivery to Bob threw: Error: boom/);
  });
});

describe('simulation', () => {
  async function shareOnce(seed: number) {
    const { sim, alice, bob } = await aliceAndBob({ seed });
    await withReferenceApps(sim, alice, bob);
    const req = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + 86_400_000 });
    await sim.share(alice, req);
    await sim.settle();
    return JSON.stringify(sim.trace);
  }

  it('gives the same trace for the same seed, and different data for another seed', async () => {
    const first = await shareOnce(11);
    expect(await shareOnce(11)).toBe(first);
    expect(await shareOnce(12)).not.toBe(first);
  });

  it('fails the run when an app handler throws, naming the phone', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    bob.device.api.onMessage(() => {
      throw new Error('parser exploded');
    });
    await alice.device.send(bob.device.aci, utf8('hi'));
    await expect(sim.settle()).rejects.toThrow(/the credential app on Bob's phone handling a message threw \(at test\/simulation\.test\.ts:\d+\): Error: parser exploded/);
    expect(sim.server.queued(bob.device.aci, 1)).toBe(0); // acknowledged all the same: nothing left hanging
  });

  it('finds no credential plaintext on the server after a real share', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    await withReferenceApps(sim, alice, bob);
    const req = sim.data.credential('authorization token', { recipient: bob.device.number, expiresAt: sim.clock.now() + 1e6 });
    await sim.share(alice, req);
    await sim.settle();
    expect(bob.provisioned()).toHaveLength(1);
    expect(sim.plaintext.observed).toBeGreaterThan(0);
    expect(sim.plaintextLeaks()).toEqual([]);
  });

  it('catches plaintext sent to the server unencrypted (the observer can fail)', async () => {
    const sim = simulation();
    const alice = await sim.addPhone('Alice');
    const bob = await sim.addPhone('Bob');
    const secret = Buffer.from('{"vin":"WVWZZZ1JZXW000001","secret":"s3cr3t"}').toString('base64');
    sim.plaintext.addSecret(secret);
    const leaky = Buffer.from(JSON.stringify({ type: 'ShareInvitation', provisioningInformation: secret })).toString('base64');
    const res = await request(sim, 'PUT', `/v1/messages/${bob.device.aci}`, {
      as: alice,
      body: { messages: [{ type: 1, destinationDeviceId: 1, destinationRegistrationId: bob.device.registrationId, content: leaky }], timestamp: 1 },
    });
    expect(res.status).toBe(200);
    expect(sim.plaintextLeaks()).toEqual([secret]);
    expect(findLeaks([Buffer.from('{"vin":"WVWZZZ1JZXW000001","secret":"s3cr3t"}')], [secret])).toEqual([secret]);
  });
});
