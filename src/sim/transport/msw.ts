/**
 * The `msw` transport: a device's real `fetch` to `https://<host>/...` is intercepted by msw and
 * answered by the server mounted at that host. One interceptor serves every simulation in the
 * process; each simulation mounts its server under a host of its own. This is how an app that
 * made its own HTTP requests would meet the server, and what raw-request tests use (`mount`).
 *
 * The handler is a custom msw RequestHandler rather than `http.all()`: routing is ours (see
 * `../server/routes.ts`), so msw's path matching and cookie parsing per request would be work
 * thrown away on the hottest path of the simulation.
 */
import { createRequire } from 'node:module';
import type { RequestHandler } from 'msw';
import type { setupServer } from 'msw/node';
import type { Faults } from '../faults.ts';
import type { SignalServer } from '../server/server.ts';
import { exchange, type Endpoint } from './exchange.ts';
import { ConnectionError, type Transport, type WireRequest, type WireResponse } from './transport.ts';

/** Hosts under this domain are ours; anything else passes through untouched. */
export const SIM_DOMAIN = 'signal.test';

const mounted = new Map<string, Endpoint>();
let interceptor: ReturnType<typeof setupServer> | undefined;
let nextHost = 1;

// msw (and the graphql it brings) loads when a process first uses this transport, not in every
// process that could: a quarter of a second at each start of the CLI and of a scenario process.
const load = createRequire(import.meta.url);

/** A handler that answers every request to a host under SIM_DOMAIN from the server mounted there. */
function simulatedSignalHandler(): RequestHandler {
  const { RequestHandler: Base } = load('msw') as typeof import('msw');
  class SimulatedSignalHandler extends Base<{ header: string }, { url: URL }, { url: URL }> {
    constructor() {
      super({ info: { header: `* https://*.${SIM_DOMAIN}/*` }, resolver: ({ request, url }) => respond(request, url) });
    }

    // The URL parsed once for matching is the resolver's too.
    protected override extendResolverArgs({ parsedResult }: { parsedResult: { url: URL } }) {
      return { url: parsedResult.url };
    }

    override async parse({ request }: { request: Request }) {
      return { url: new URL(request.url) };
    }

    override predicate({ parsedResult }: { parsedResult: { url: URL } }) {
      return parsedResult.url.host.endsWith(`.${SIM_DOMAIN}`);
    }

    override log(): void {}
  }
  return new SimulatedSignalHandler();
}

async function respond(request: Request, url: URL): Promise<Response> {
  const body = new Uint8Array(await request.arrayBuffer());
  let answer: WireResponse;
  try {
    answer = exchange(mounted.get(url.host), {
      method: request.method,
      path: url.pathname,
      query: url.search,
      authorization: request.headers.get('authorization') ?? undefined,
      body,
    });
  } catch (error) {
    if (error instanceof ConnectionError) return Response.error();
    throw error;
  }
  return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
}

/**
 * Installs the interceptor once per process (true: it was installed now). It stays: a child
 * process that runs with this transport installs it before it takes the process's clean
 * footprint (src/run/child.ts, src/run/leftovers.ts).
 */
export function ensureInterceptor(): boolean {
  if (interceptor) return false;
  const { setupServer: setup } = load('msw/node') as typeof import('msw/node');
  const created = setup(simulatedSignalHandler());
  created.listen({ onUnhandledRequest: 'bypass' });
  interceptor = created;
  return true;
}

/** Mounts a server (and the faults of its network) on msw; returns its base URL and an unmount function. */
export function mount(server: SignalServer, faults?: Faults): { baseUrl: string; unmount: () => void } {
  ensureInterceptor();
  const host = `chat-${nextHost++}.${SIM_DOMAIN}`;
  mounted.set(host, { server, faults });
  return { baseUrl: `https://${host}`, unmount: () => void mounted.delete(host) };
}

/** The msw transport for one server: each request is a real `fetch` through the interceptor. */
export class MswTransport implements Transport {
  readonly name = 'msw' as const;
  readonly baseUrl: string;
  readonly close: () => void;

  constructor(server: SignalServer, faults?: Faults) {
    ({ baseUrl: this.baseUrl, unmount: this.close } = mount(server, faults));
  }

  async request({ method, path, authorization, body }: WireRequest): Promise<WireResponse> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body as Uint8Array<ArrayBuffer> | undefined,
      });
    } catch (cause) {
      throw new ConnectionError({ cause });
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return { status: res.status, headers, ...(bytes.length ? { body: bytes } : {}) };
  }
}
