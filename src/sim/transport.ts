/**
 * Serves simulated Signal servers over HTTP, in-process, through msw: a device's `fetch` to
 * `https://<host>/...` reaches the server mounted at that host. One msw interceptor serves every
 * simulation in the process; each simulation mounts its server under a host of its own.
 *
 * The handler is a custom msw RequestHandler rather than `http.all()`: routing is ours (see
 * `server/routes.ts`), so msw's path matching and cookie parsing per request would be work
 * thrown away, on the hottest path of the simulation (see bench/throughput.ts).
 */
import { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { handle, type SimRequest } from './server/routes.ts';
import type { SignalServer } from './server/server.ts';

/** Hosts under this domain are ours; anything else passes through untouched. */
export const SIM_DOMAIN = 'signal.test';

const mounted = new Map<string, SignalServer>();
let interceptor: ReturnType<typeof setupServer> | undefined;
let nextHost = 1;

/** Answers every request to a host under SIM_DOMAIN from the server mounted there. */
class SimulatedSignalHandler extends RequestHandler<{ header: string }, { host: string }> {
  constructor() {
    super({ info: { header: `* https://*.${SIM_DOMAIN}/*` }, resolver: ({ request }) => respond(request) });
  }

  override async parse({ request }: { request: Request }) {
    return { host: new URL(request.url).host };
  }

  override predicate({ parsedResult }: { parsedResult: { host: string } }) {
    return parsedResult.host.endsWith(`.${SIM_DOMAIN}`);
  }

  override log(): void {}
}

async function respond(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const server = mounted.get(url.host);
  if (!server) {
    return Response.json({ code: 502, message: `No simulated server at ${url.host}` }, { status: 502 });
  }
  const req: SimRequest = {
    method: request.method,
    url,
    headers: request.headers,
    body: new Uint8Array(await request.arrayBuffer()),
  };
  const res = handle(server, req);
  const body = res.body === undefined || request.method === 'HEAD' ? null : JSON.stringify(res.body);
  return new Response(body, {
    status: res.status,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...res.headers },
  });
}

function ensureInterceptor(): void {
  if (interceptor) return;
  const created = setupServer(new SimulatedSignalHandler());
  created.listen({ onUnhandledRequest: 'bypass' });
  interceptor = created;
}

/** Mounts a server; returns its base URL and a function that unmounts it. */
export function mount(server: SignalServer): { baseUrl: string; unmount: () => void } {
  ensureInterceptor();
  const host = `chat-${nextHost++}.${SIM_DOMAIN}`;
  mounted.set(host, server);
  return { baseUrl: `https://${host}`, unmount: () => void mounted.delete(host) };
}
