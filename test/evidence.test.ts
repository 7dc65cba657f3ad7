/**
 * The trace is the harness's evidence: what an app logs or reports is kept under keys of its
 * own and can never add, change or hide a harness event; and the evidence rules refuse an app's
 * report that no traffic backs.
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent, CredentialAppContext, ShareRequest } from '../src/adapter/contract.ts';
import type { LoadedAdapter } from '../src/adapter/load.ts';
import * as evidence from '../src/evidence/index.ts';
import { buildInvitation } from '../src/fakes/invitations.ts';
import { encode, randomUuid } from '../src/protocol/messages.ts';
import { VirtualClock } from '../src/sim/clock.ts';
import { Trace } from '../src/sim/trace.ts';
import { aliceAndBob, withReferenceApps } from './helpers.ts';

const DAY = 86_400_000;

/** An adapter made in the test: `share` runs with the app's context. */
function adapter(share: (ctx: CredentialAppContext, request: ShareRequest) => Promise<string>): LoadedAdapter {
  return {
    spec: 'test app',
    factory: (ctx) => ({
      share: async (request) => ({ transferId: await share(ctx, request) }),
      cancel: async () => {},
    }),
  };
}

describe('the trace', () => {
  it('refuses a detail that carries an event key of its own (seq, at, kind)', () => {
    const trace = new Trace(new VirtualClock(0));
    for (const key of ['seq', 'at', 'kind']) {
      expect(() => trace.record('app.log', { [key]: 1 })).toThrow(`cannot carry ${key} in its detail`);
    }
    expect(trace.events).toEqual([]);
  });

  it("keeps an app's log and reports under keys of their own: a faked device.sent adds no send and changes nothing a step counts", async () => {
    const { sim, alice, bob } = await aliceAndBob();
    let reported: AppEvent | undefined;
    await sim.installApp(
      alice,
      adapter(async (ctx, request) => {
        const transferId = randomUuid(ctx.random);
        const fake = { kind: 'device.sent', seq: 1, at: '2020-01-01T00:00:00.000Z', device: alice.device.label, to: bob.device.aci, message: 'ShareInvitation', transferId, httpStatus: 503 };
        for (let i = 0; i < 3; i++) ctx.log('sent', fake);
        ctx.log({ kind: 'device.sent' } as unknown as string);
        await ctx.signal.send(bob.device.aci, encode(buildInvitation(request, { transferId, messageId: randomUuid(ctx.random) })));
        reported = { type: 'transfer', transferId, role: 'sender', state: 'invited', ...{ kind: 'device.sent', seq: 1 } };
        ctx.report(reported);
        (reported as { state: string }).state = 'completed'; // changed after the harness took it
        return transferId;
      }),
    );
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + DAY });
    const transferId = await sim.share(alice, request);
    await sim.settle();

    const sent = sim.trace.find('device.sent');
    expect(sent.map((e) => e.httpStatus)).toEqual([200]);
    expect(evidence.sendAttempts(sim, alice, 'ShareInvitation', transferId)).toHaveLength(1);
    expect(sim.trace.events.map((e) => e.seq)).toEqual(sim.trace.events.map((_, i) => i + 1));

    const logs = sim.trace.find('app.log');
    expect(logs).toHaveLength(4);
    expect(logs[0]).toMatchObject({ kind: 'app.log', phone: 'Alice', message: 'sent', detail: { kind: 'device.sent', httpStatus: 503 } });
    expect(logs[0]!.httpStatus).toBeUndefined();
    expect(logs[3]).toMatchObject({ kind: 'app.log', message: '{"kind":"device.sent"}' });

    const [event] = sim.trace.find('app.event');
    expect(event).toMatchObject({ kind: 'app.event', phone: 'Alice', event: { type: 'transfer', state: 'invited', kind: 'device.sent', seq: 1 } });
    expect(alice.stateOf(transferId)).toBe('invited');
    expect(() => evidence.reportedState(sim, alice, { transferId, kind: 'car key', sender: alice, receiver: bob, request }, 'invited')).not.toThrow();
  });

  it('keeps provisioning information out of the trace, and the record of a report frozen', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    await withReferenceApps(sim, alice, bob);
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + DAY });
    await sim.share(alice, request);
    await sim.settle();
    expect(JSON.stringify(sim.trace)).not.toContain(request.provisioningInformation);
    const [credential] = bob.provisioned();
    expect(credential?.provisioningInformation).toBe(request.provisioningInformation);
    expect(Object.isFrozen(credential)).toBe(true);
  });
});

describe('evidence rules', () => {
  it("refuse a receiver's report of a credential its device never received, naming what is missing", async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + DAY });
    const transferId = sim.data.uuid();
    await sim.installApp(alice, adapter(async () => transferId));
    let bobContext: CredentialAppContext | undefined;
    await sim.installApp(bob, { spec: 'test app', factory: (ctx) => ((bobContext = ctx), { share: async () => ({ transferId: '' }), cancel: async () => {} }) });
    await sim.share(alice, request);
    bobContext!.report({ type: 'provisioned', transferId, from: alice.device.aci, format: request.format, title: request.displayInformation.title, provisioningInformation: request.provisioningInformation });
    const share = { transferId, kind: 'car key', sender: alice, receiver: bob, request };
    expect(() => evidence.provisionedExactlyOnce(sim, bob, share)).toThrow(
      "Bob's phone reported the car key provisioned, but its device never received an invitation for that transfer from Alice's account",
    );
  });

  it('refuse a sender\'s "completed" that no answer backs, and a "not on Signal" with no lookup', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + DAY });
    await sim.installApp(
      alice,
      adapter(async (ctx) => {
        const transferId = randomUuid(ctx.random);
        ctx.report({ type: 'transfer', transferId, role: 'sender', state: 'completed' });
        return transferId;
      }),
    );
    const transferId = await sim.share(alice, request);
    const share = { transferId, kind: 'car key', sender: alice, receiver: bob, request };
    expect(() => evidence.reportedState(sim, alice, share, 'completed')).toThrow(
      "Alice's phone reported the car key share as completed, but the server never accepted its invitation for that transfer addressed to Bob's account",
    );
    const report = { type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'not-on-signal' } as const;
    expect(evidence.missingEvidence(sim, alice, share, report)).toMatch(/never learned that .* is not on Signal/);
  });

  it('accept a sender\'s own "expired" made at the expiration instant, and refuse one made 1 ms before it that no answer backs', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const expiresAt = sim.clock.now() + DAY;
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt });
    let report = (_at: number) => {};
    await sim.installApp(
      alice,
      adapter(async (ctx) => {
        const transferId = randomUuid(ctx.random);
        report = (at) => void ctx.clock.setTimeout(() => ctx.report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'expired' }), at - ctx.clock.now());
        return transferId;
      }),
    );
    const transferId = await sim.share(alice, request);
    const share = { transferId, kind: 'car key', sender: alice, receiver: bob, request };
    report(expiresAt - 1);
    await sim.scheduler.advance(DAY - 1);
    expect(() => evidence.reportedFailure(sim, alice, share, 'expired')).toThrow(/nor a key signing request after the expiration .*, and it said so before the expiration/);
    report(expiresAt);
    await sim.scheduler.advance(1);
    expect(() => evidence.reportedFailure(sim, alice, share, 'expired')).not.toThrow();
  });
});
