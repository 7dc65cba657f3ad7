import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { AdapterError, REFERENCE_ADAPTER, checkApp, loadAdapter } from '../src/adapter/load.ts';
import { AppAssertionError } from '../src/sim/failures.ts';
import { aliceAndBob } from './helpers.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/adapters/${name}.ts`, import.meta.url));

describe('adapter loader', () => {
  it('loads the reference app through the same contract as any adapter', async () => {
    const adapter = await loadAdapter(REFERENCE_ADAPTER);
    expect(typeof adapter.factory).toBe('function');
  });

  it('names a module that does not exist', async () => {
    await expect(loadAdapter('./no/such/adapter.ts')).rejects.toThrow(/Adapter module "\.\/no\/such\/adapter\.ts" was not found \(looked for .*no\/such\/adapter\.ts\)/);
  });

  it('names a module that fails to load, with its error', async () => {
    await expect(loadAdapter(fixture('throws-on-import'))).rejects.toThrow(/failed to load: missing configuration: CREDENTIAL_API_URL/);
  });

  it('names a module without a factory and lists what it exports', async () => {
    const error = await loadAdapter(fixture('no-factory')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toMatch(/exports no factory: export a function as the default export or as "createCredentialApp" \(it exports: name, version\)/);
  });

  it('lists every way an app does not fit the contract', async () => {
    const adapter = await loadAdapter(fixture('incomplete-app'));
    const app = await adapter.factory({} as never, {} as never);
    expect(() => checkApp(app, 'incomplete-app')).toThrow(
      /does not fit the contract:\n- cancel\(\) is missing \(must be a function\)\n- capabilities\.flows must list some of: stateless, stateful/,
    );
    expect(() => checkApp(undefined, 'x')).toThrow(/returned undefined, not an app object/);
    // No flow at all would have every stateful scenario skipped: refused, not taken as a choice.
    expect(() => checkApp({ ...app, cancel: async () => {}, capabilities: { flows: [] } }, 'no-flows')).toThrow(/capabilities\.flows must list some of: stateless, stateful/);
    expect(() => checkApp({ ...app, cancel: async () => {}, capabilities: { flows: ['stateless'] } }, 'stateless-only')).not.toThrow();
  });

  it('turns an app that throws or hangs into a failure naming the call and the phone', async () => {
    const { sim, alice, bob } = await aliceAndBob({ hangMs: 50 });
    await sim.installApp(alice, await loadAdapter(fixture('misbehaving')));
    const request = sim.data.credential('car key', { recipient: bob.device.number, expiresAt: sim.clock.now() + 1000 });
    await expect(sim.share(alice, request)).rejects.toThrow(
      // Where in the app's code, not the harness's: the line of the fixture that threw.
      /share\(\) of the credential app on Alice's phone threw \(at test\/fixtures\/adapters\/misbehaving\.ts:\d+\): Error: wallet database is locked/,
    );
    const hang = await sim.cancel(alice, 'x').catch((e: unknown) => e);
    expect(hang).toBeInstanceOf(AppAssertionError);
    expect((hang as Error).message).toMatch(/cancel\(\) of the credential app on Alice's phone did not finish within 50 ms of real time: it hangs/);
  });
});
