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
import { basicCredentials, handle, sendDestination, type SimRequest } from './server/routes.ts';
import type { SignalServer } from './server/server.ts';
import type { Faults } from './faults.ts';

/** Hosts under this domain are ours; anything else passes through untouched. */
export const SIM_DOMAIN = 'signal.test';

const mounted = new Map<string, { server: SignalServer; faults?: Faults }>();
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
  const target = mounted.get(url.host);
  if (!target) {
    return Response.json({ code: 502, message: `No simulated server at ${url.host}` }, { status: 502 });
  }
  const req: SimRequest = {
    method: request.method,
    url,
    headers: request.headers,
    body: new Uint8Array(await request.arrayBuffer()),
  };
  // The network's faults act on sends (PUT /v1/messages) before or after the server handles them.
  const destination = sendDestination(req.method, url.pathname);
  const sender = destination && basicCredentials(req.headers);
  const fault = sender ? target.faults?.onSend(sender.aci, destination) : undefined;
  if (fault?.kind === 'connection-error') return Response.error();
  if (fault?.kind === 'respond') {
    return Response.json({ code: fault.status, message: fault.message }, { status: fault.status, headers: fault.headers });
  }
  const res = handle(target.server, req);
  if (fault?.kind === 'lose-response') return Response.error(); // stored, but the answer never arrives
  const body = res.body === undefined || request.method === 'HEAD' ? null : JSON.stringify(res.body);
  return new Response(body, {
    status: res.status,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...res.headers },
  });
}

/** Installs the interceptor once per process (it stays: the child process checks an app left the globals as they were with it installed). */
export function ensureInterceptor(): void {
  if (interceptor) return;
  const created = setupServer(new SimulatedSignalHandler());
  created.listen({ onUnhandledRequest: 'bypass' });
  interceptor = created;
}

/** Mounts a server (and the faults of its network); returns its base URL and an unmount function. */
export function mount(server: SignalServer, faults?: Faults): { baseUrl: string; unmount: () => void } {
  ensureInterceptor();
  const host = `chat-${nextHost++}.${SIM_DOMAIN}`;
  mounted.set(host, { server, faults });
  return { baseUrl: `https://${host}`, unmount: () => void mounted.delete(host) };
}
