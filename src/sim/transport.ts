/**
 * Serves simulated Signal servers over HTTP, in-process, through msw: a device's `fetch` to
 * `https://<host>/...` reaches the server mounted at that host. One msw interceptor serves every
 * simulation in the process; each simulation mounts its server under a host of its own.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { handle, type SimRequest } from './server/routes.ts';
import type { SignalServer } from './server/server.ts';

/** Hosts under this domain are ours; anything else passes through untouched. */
export const SIM_DOMAIN = 'signal.test';

const mounted = new Map<string, SignalServer>();
let interceptor: ReturnType<typeof setupServer> | undefined;
let nextHost = 1;

function ensureInterceptor(): void {
  if (interceptor) return;
  const created = setupServer(
    http.all(new RegExp(`^https://[a-z0-9-]+\\.${SIM_DOMAIN.replace('.', '\\.')}/`), async ({ request }) => {
      const url = new URL(request.url);
      const server = mounted.get(url.host);
      if (!server) {
        return HttpResponse.json({ code: 502, message: `No simulated server at ${url.host}` }, { status: 502 });
      }
      const req: SimRequest = {
        method: request.method,
        url,
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
      };
      const res = handle(server, req);
      const body = res.body === undefined || request.method === 'HEAD' ? null : JSON.stringify(res.body);
      return new HttpResponse(body, {
        status: res.status,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...res.headers },
      });
    }),
  );
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
