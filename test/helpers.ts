/** Shared set-up for unit tests: a simulation with phones, and raw requests to its server. */
import { afterEach } from 'vitest';
import { Simulation, type Phone } from '../src/sim/simulation.ts';
import { loadAdapter, REFERENCE_ADAPTER } from '../src/adapter/load.ts';

const open: Simulation[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.dispose();
});

export function simulation(opts: Partial<ConstructorParameters<typeof Simulation>[0]> = {}): Simulation {
  const sim = new Simulation({ seed: 7, name: 'unit', ...opts });
  open.push(sim);
  return sim;
}

/** A simulation with Alice and Bob on Signal (devices only, no credential app). */
export async function aliceAndBob(opts: Partial<ConstructorParameters<typeof Simulation>[0]> = {}) {
  const sim = simulation(opts);
  const alice = await sim.addPhone('Alice');
  const bob = await sim.addPhone('Bob');
  return { sim, alice, bob };
}

/** Both phones with the reference credential app. */
export async function withReferenceApps(sim: Simulation, ...phones: Phone[]) {
  const adapter = await loadAdapter(REFERENCE_ADAPTER);
  for (const phone of phones) await sim.installApp(phone, adapter);
}

/** A raw HTTP request to the simulated server, as `phone` (or unauthenticated). */
export async function request(
  sim: Simulation,
  method: string,
  path: string,
  opts: { as?: Phone; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (opts.as) headers.authorization = opts.as.device.authorizationHeader;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  // The URL first: reading baseUrl may install msw's interceptor (a direct-transport run has none
  // yet), and `fetch` is looked up before a call's arguments are evaluated.
  const url = sim.baseUrl + path;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export const utf8 = (text: string) => new TextEncoder().encode(text);
export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
