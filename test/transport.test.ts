/**
 * The two transports (src/sim/transport/) are interchangeable: for one seed, a run through msw
 * and a run through the direct in-process call write the same traces byte for byte, and the
 * server's plaintext observer sees the same bytes. Faults that act on the transport's answer
 * (connection error, lost response, 429, 413) and device-list changes (409, 410) are exercised
 * both through the CLI (real scenarios, the reference app) and in-process through `Simulation`.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignalSendError } from '../src/adapter/contract.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { ConnectionError, DirectTransport, MswTransport, type Transport, type TransportName, type WireRequest } from '../src/sim/transport/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Scenarios whose faults act on the request's answer or the device list (as test/determinism.test.ts runs them). */
const SCENARIOS = [
  'features/transport/retries.feature:29:37:54:65', // 429 Retry-After, connection error, lost responses
  'features/provisioning/limits.feature:27', // 413
  'features/accounts/identity.feature:114:124:135', // a tablet linked (409), re-registered (410), unlinked (409)
];

/** Runs the CLI with one transport; returns its trace files by role/name, and its output. */
async function traces(transport: TransportName): Promise<{ files: Map<string, string>; output: string }> {
  const reports = mkdtempSync(join(tmpdir(), `sct-transport-${transport}-`));
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        // One pass is enough: the faults act on the same requests whichever app is under test.
        ['bin/sct-conformance.js', 'run', '--quiet', '--seed', '7', '--role', 'sender', '--transport', transport, '--reports', reports, ...SCENARIOS],
        { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_TRANSPORT: '' } },
        (error, stdout, stderr) => (error ? reject(new Error(stdout + stderr)) : resolve(stdout)),
      ),
    );
    const files = new Map<string, string>();
    for (const role of readdirSync(join(reports, 'traces'))) {
      for (const file of readdirSync(join(reports, 'traces', role))) files.set(`${role}/${file}`, readFileSync(join(reports, 'traces', role, file), 'utf8'));
    }
    return { files, output };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

/**
 * A scripted exchange between two devices with every answer-side fault, in-process: the trace,
 * the bytes the server's plaintext observer saw, and what each send gave the caller.
 */
async function scripted(transport: TransportName) {
  const sim = new Simulation({ seed: 11, name: 'transports', transport });
  const observed = watch(sim, masked);
  const outcomes: string[] = [];
  try {
    const alice = await sim.addPhone('Alice');
    const bob = await sim.addPhone('Bob');
    const send = async (what: string, bytes = new TextEncoder().encode(what)) => {
      try {
        const receipt = await alice.device.send(bob.device.aci, bytes, 'harness');
        outcomes.push(`${what}: sent at ${receipt.timestamp}`);
      } catch (error) {
        outcomes.push(`${what}: ${error instanceof SignalSendError ? `${error.kind} ${error.message}` : String(error)}`);
      }
      await sim.settle();
    };
    await send('first');
    sim.faults.add({ kind: 'connection-error' }, { from: alice.device.aci });
    await send('connection error');
    sim.faults.add({ kind: 'lose-response' }, { from: alice.device.aci });
    await send('lost response');
    sim.faults.add({ kind: 'rate-limit', retryAfterSeconds: 30 }, { from: alice.device.aci });
    await send('rate limited');
    await send('too large', new Uint8Array(100 * 1024)); // over the server's 96 KiB: its own 413
    sim.faults.add({ kind: 'http-error', status: 413 }, { from: alice.device.aci });
    await send('413 fault');
    await sim.linkDevice('Bob', 'tablet'); // Alice's next send meets 409
    await send('after a tablet was linked');
    await sim.reregisterDevice("Bob's tablet"); // 410
    await send('after the tablet registered again');
    sim.unlinkDevice("Bob's tablet"); // 409, extra device
    await send('after the tablet was unlinked');
    expect(await alice.device.lookup('+19995550000')).toBeUndefined(); // GET 404
    expect(await alice.device.lookup(bob.device.aci.toUpperCase())).toEqual({ aci: bob.device.aci }); // HEAD 200, no body
    // A number fetch would normalise as a URL (space, fragment, query, dot segment): both hand the routes the same path.
    outcomes.push(`odd lookup: ${JSON.stringify(await alice.device.lookup('+1 555 a#b?c=d/../x%zz'))}`);
    return { trace: JSON.stringify(sim.trace.events, null, 1), observed, outcomes };
  } finally {
    await sim.dispose();
  }
}

/** Records every byte string the server's plaintext observer sees, as `show` renders it (the observer still sees it). */
function watch(sim: Simulation, show: (bytes: Uint8Array) => string): string[] {
  const observed: string[] = [];
  const observe = sim.plaintext.observe.bind(sim.plaintext);
  sim.plaintext.observe = (bytes) => {
    observed.push(show(bytes));
    observe(bytes);
  };
  return observed;
}

/**
 * Keys and ciphertexts differ from run to run (libsignal draws them from the OS, not the seed):
 * two runs can only be compared with them masked, down to their lengths. Everything else (the
 * JSON around them, paths, ids, lengths) must match byte for byte.
 */
function masked(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) || /[\u0000-\u0008]/.test(text)) return `<${bytes.length} binary bytes>`;
  return text.replace(/[A-Za-z0-9+/]{40,}={0,2}/g, (b64) => `<${b64.length} base64 chars>`);
}

describe('transports', () => {
  it('msw and direct write byte-identical traces for one seed (real scenarios with answer faults, 409, 410, 413)', async () => {
    const [msw, direct] = await Promise.all([traces('msw'), traces('direct')]);
    expect(msw.output).toMatch(/transport msw,/);
    expect(direct.output).toMatch(/transport direct,/);
    expect(msw.files.size).toBeGreaterThanOrEqual(8);
    expect([...direct.files.keys()].sort()).toEqual([...msw.files.keys()].sort());
    for (const [name, trace] of msw.files) expect(direct.files.get(name), name).toBe(trace);
    // The faults this is about did fire (a trace without them would prove nothing).
    const all = [...msw.files.values()].join('\n');
    for (const kind of ['fault.connection-error', 'fault.lose-response', 'fault.rate-limit', 'server.mismatched-devices', 'server.stale-devices']) {
      expect(all, kind).toContain(`"kind": "${kind}"`);
    }
    expect(all).toContain('"httpStatus": 413');
  });

  it('in-process, every answer-side fault gives the same trace, observed bytes and outcomes through either transport', async () => {
    const msw = await scripted('msw');
    const direct = await scripted('direct');
    expect(msw.outcomes).toEqual([
      expect.stringMatching(/^first: sent at \d+$/),
      expect.stringMatching(/^connection error: transient PUT \/v1\/messages\/\S+ failed: the connection failed before an answer came$/),
      expect.stringMatching(/^lost response: transient /),
      expect.stringMatching(/^rate limited: rate-limited Rate limited \(429\), retry after 30 s$/),
      expect.stringMatching(/^too large: too-large The message is too large \(413\)/),
      expect.stringMatching(/^413 fault: too-large /),
      expect.stringMatching(/^after a tablet was linked: sent at /),
      expect.stringMatching(/^after the tablet registered again: sent at /),
      expect.stringMatching(/^after the tablet was unlinked: sent at /),
      'odd lookup: undefined',
    ]);
    expect(direct.outcomes).toEqual(msw.outcomes);
    expect(direct.observed).toEqual(msw.observed);
    expect(direct.trace).toBe(msw.trace);
    for (const kind of ['fault.connection-error', 'fault.lose-response', 'fault.rate-limit', 'fault.http-error', 'server.mismatched-devices', 'server.stale-devices']) {
      expect(msw.trace, kind).toContain(`"kind": "${kind}"`);
    }
  });
  it('one request through either transport: the server observes the same bytes and answers with the same bytes', async () => {
    const sim = new Simulation({ seed: 3, name: 'same request', transport: 'direct' });
    try {
      const alice = await sim.addPhone('Alice');
      const bob = await sim.addPhone('Bob');
      bob.device.goOffline(); // sends queue: the same request can be made twice
      const exact = watch(sim, (bytes) => Buffer.from(bytes).toString('base64'));
      const msw = new MswTransport(sim.server, sim.faults);
      const direct = new DirectTransport(sim.server, sim.faults);
      const authorization = alice.device.authorizationHeader;
      const body = (json: unknown) => new TextEncoder().encode(typeof json === 'string' ? json : JSON.stringify(json));
      const message = { messages: [{ type: 1, destinationDeviceId: 1, destinationRegistrationId: bob.device.registrationId, content: 'AAAA' }], timestamp: 1 };
      const requests: WireRequest[] = [
        { method: 'PUT', path: `/v1/messages/${bob.device.aci}`, authorization, body: body(message) }, // 200
        { method: 'PUT', path: `/v1/messages/${bob.device.aci}`, authorization, body: body('{"messages": [') }, // 400
        { method: 'PUT', path: `/v1/messages/${bob.device.aci}`, authorization, body: body({ timestamp: 1 }) }, // 422
        { method: 'PUT', path: `/v1/messages/${bob.device.aci}`, body: body(message) }, // 401
        { method: 'HEAD', path: `/v1/accounts/account/${bob.device.aci}` }, // 200, no body
        { method: 'GET', path: `/v1/sim/discovery/${bob.device.number}`, authorization }, // 200
        { method: 'GET', path: '/v1/sim/discovery/+1 555 ü#x?y=z/../w%zz', authorization }, // a path fetch normalises
        { method: 'DELETE', path: '/v2/keys', authorization }, // 405
      ];
      const answers = async (transport: Transport) => {
        const out: string[] = [];
        for (const request of requests) {
          const before = exact.length;
          const res = await transport.request(request);
          out.push(JSON.stringify({ status: res.status, retryAfter: res.headers['retry-after'], type: res.headers['content-type'], body: res.body && Buffer.from(res.body).toString('utf8'), observed: exact.slice(before) }));
        }
        return out;
      };
      const overMsw = await answers(msw);
      const overDirect = await answers(direct);
      expect(overDirect).toEqual(overMsw);
      expect(overMsw.map((a) => JSON.parse(a).status)).toEqual([200, 400, 422, 401, 200, 200, 404, 405]);
      // The faults act the same on either: a connection error and a lost answer reject, a 429 answers.
      for (const transport of [msw, direct]) {
        sim.faults.add({ kind: 'connection-error' }, { from: alice.device.aci });
        await expect(transport.request(requests[0]!)).rejects.toBeInstanceOf(ConnectionError);
        sim.faults.add({ kind: 'lose-response' }, { from: alice.device.aci });
        await expect(transport.request(requests[0]!)).rejects.toBeInstanceOf(ConnectionError);
        sim.faults.add({ kind: 'rate-limit', retryAfterSeconds: 7 }, { from: alice.device.aci });
        expect((await transport.request(requests[0]!)).headers['retry-after']).toBe('7');
      }
      // Connection error: not stored; lost answer: stored. Twice each, once per transport.
      expect(sim.server.queued(bob.device.aci, 1)).toBe(2 + 2);
      msw.close();
      direct.close();
      expect((await direct.request(requests[4]!)).status).toBe(502);
      expect((await msw.request(requests[4]!)).status).toBe(502);
    } finally {
      await sim.dispose();
    }
  });
});
