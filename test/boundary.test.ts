/**
 * The Signal app API never turns a legal app choice into a server error, and never blames the
 * app for the harness's own faults.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/sim/clock.ts';
import { Scheduler } from '../src/sim/scheduler.ts';
import { Trace } from '../src/sim/trace.ts';
import { mapHttpError } from '../src/sim/device/device.ts';
import { AppAssertionError, HarnessError } from '../src/sim/failures.ts';
import { reportProblem, shareResultProblem } from '../src/adapter/checks.ts';
import { fileURLToPath } from 'node:url';
import { loadAdapter } from '../src/adapter/load.ts';
import { aliceAndBob, utf8, withReferenceApps } from './helpers.ts';
import { SignalSendError, type CredentialApp } from '../src/adapter/contract.ts';

describe('whole milliseconds at the boundary', () => {
  it('a fractional timer delay fires at the next whole millisecond, and a send from it is accepted', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const sent: Array<{ at: number; timestamp: number }> = [];
    await sim.installApp(alice, {
      spec: 'fractional-timer',
      factory: (ctx): CredentialApp => {
        ctx.clock.setTimeout(async () => {
          const receipt = await ctx.signal.send(bob.device.aci, utf8('hello'));
          sent.push({ at: ctx.clock.now(), timestamp: receipt.timestamp });
        }, 1234.25);
        return { share: async () => ({ transferId: 'x' }), cancel: async () => {} };
      },
    });
    const start = sim.clock.now();
    await sim.advance(2000);
    expect(sent).toEqual([{ at: start + 1235, timestamp: start + 1235 }]);
    expect(sim.trace.find('device.sent').map((e) => e.httpStatus)).toEqual([200]);
  });

  it('the clock refuses a delay that is not a number, naming the app', async () => {
    const { sim, alice } = await aliceAndBob();
    const app = await sim.installApp(alice, {
      spec: 'bad-timer',
      factory: (ctx) => ({
        share: async () => {
          ctx.clock.setTimeout(() => {}, '100' as unknown as number);
          return { transferId: 'x' };
        },
        cancel: async () => {},
      }),
    });
    expect(app).toBeDefined();
    const error = await sim.share(alice, sim.data.credential('car key', { recipient: alice.device.number, expiresAt: sim.clock.now() + 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppAssertionError);
    expect((error as Error).message).toMatch(/credential app on Alice's phone .* broke the adapter contract: clock\.setTimeout\(\): the delay is of type string/);
  });
});

describe('the app breaking the contract fails the scenario, naming the app, the phone and the method', () => {
  /** Alice's app (a reference app with one misbehaviour, see the fixture) shares a car key with Bob's reference app. */
  async function misbehave(misbehaviour: string): Promise<string> {
    process.env.SCT_MISBEHAVIOUR = misbehaviour;
    try {
      const { sim, alice, bob } = await aliceAndBob();
      const misbehaving = await loadAdapter(fileURLToPath(new URL('./fixtures/adapters/misbehaves.ts', import.meta.url)));
      await sim.installApp(alice, misbehaving);
      await withReferenceApps(sim, bob);
      // A short expiry: Bob's app refuses the share, and Alice's reports why (report-unknown-reason).
      const expiresAt = sim.clock.now() + (misbehaviour === 'report-unknown-reason' ? 0 : 86_400_000);
      const error = await sim
        .share(alice, sim.data.credential('car key', { recipient: bob.device.number, expiresAt }))
        .then(() => sim.quiet())
        .then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppAssertionError);
      return (error as Error).message;
    } finally {
      delete process.env.SCT_MISBEHAVIOUR;
    }
  }

  it.each([
    ['send-string', /signal\.send\(\): the bytes are of type string; it takes a Uint8Array/],
    ['send-null', /signal\.send\(\): the bytes are null; it takes a Uint8Array/],
    ['share-null', /share\(\): it resolved null, not \{ transferId \}/],
    ['share-empty', /share\(\): it resolved \{\}, without a non-empty string transferId/],
    ['report-unknown-state', /report\(\): state is "done", which is not one of: invited, /],
    ['report-unknown-reason', /report\(\): reason is "oops", which is not one of: expired, /],
  ])('%s', async (misbehaviour, problem) => {
    const message = await misbehave(misbehaviour);
    expect(message).toMatch(/the credential app on Alice's phone \(the app under test\) broke the adapter contract: /);
    expect(message).toMatch(problem);
  });
});

describe('server errors the app sees', () => {
  const headers = new Headers({ 'retry-after': '30' });
  it.each([
    [401, 'sender-not-registered'],
    [404, 'not-registered'],
    [413, 'too-large'],
    [429, 'rate-limited'],
    [500, 'transient'],
    [503, 'transient'],
  ])('%i is %s, and no harness fault', (status, kind) => {
    const harness: string[] = [];
    expect(mapHttpError('PUT /v1/messages/x', status, 'body', headers, (m) => harness.push(m)).kind).toBe(kind);
    expect(harness).toEqual([]);
  });

  it.each([400, 405, 422])('%i for a request the harness built is the harness\'s fault: `rejected`, never `transient`', (status) => {
    const harness: string[] = [];
    const error = mapHttpError('PUT /v1/messages/x', status, '{"code":400,"message":"timestamp: must be an integer"}', headers, (m) => harness.push(m));
    expect(error).toBeInstanceOf(SignalSendError);
    expect(error.kind).toBe('rejected');
    expect(harness).toEqual([expect.stringContaining(`PUT /v1/messages/x answered ${status}: {"code":400,"message":"timestamp: must be an integer"}`)]);
  });

  it('a harness fault makes the scenario broken (HarnessError), not failed, whatever the app did', async () => {
    const clock = new VirtualClock(0);
    const scheduler = new Scheduler(clock, new Trace(clock));
    scheduler.fail('the app did something wrong');
    scheduler.harnessFail('the server refused a request the harness built');
    expect(() => scheduler.throwIfFailed()).toThrow(HarnessError);
  });
});

describe('values an app hands the harness', () => {
  it.each([
    [null, /resolved null/],
    [{}, /resolved \{\}, without a non-empty string transferId/],
    [{ transferId: '' }, /without a non-empty string transferId/],
    ['abc', /resolved string/],
  ])('share() resolving %j is refused', (value, message) => {
    expect(shareResultProblem(value)).toMatch(message);
  });

  it('accepts every report the contract describes, refuses unknown states, reasons and types', () => {
    expect(reportProblem({ type: 'transfer', transferId: 't', role: 'sender', state: 'failed', reason: 'not-on-signal' })).toBeUndefined();
    expect(reportProblem({ type: 'provisioned', transferId: 't', from: 'a', format: 'f', title: 't', provisioningInformation: 'p' })).toBeUndefined();
    expect(reportProblem({ type: 'transfer', transferId: 't', role: 'sender', state: 'done' })).toMatch(/state is "done", which is not one of: invited/);
    expect(reportProblem({ type: 'transfer', transferId: 't', role: 'sender', state: 'failed', reason: 'oops' })).toMatch(/reason is "oops"/);
    // A new safety number holds a share (docs/protocol.md D1): failing it for that breaks the contract, and says what to do.
    expect(reportProblem({ type: 'transfer', transferId: 't', role: 'sender', state: 'failed', reason: 'identity-changed' })).toMatch(
      /reason is "identity-changed", which is no reason to fail: a new safety number holds the share until the user confirms it, cancels, or it expires \(docs\/protocol\.md, D1\)/,
    );
    expect(reportProblem({ type: 'transfer', role: 'sender', state: 'failed' })).toMatch(/transferId/);
    expect(reportProblem({ type: 'party' })).toMatch(/type/);
    expect(reportProblem(null)).toBeDefined();
  });
});
