/**
 * The one place a request meets the simulated server, whichever transport carried it: the
 * network's faults on sends (PUT /v1/messages) act before or after the server's routes handle
 * it, and the routes' answer becomes wire bytes. Both transports call this, so they cannot
 * behave differently: same faults, same bytes to the server's plaintext observer, same answers.
 */
import type { Faults } from '../faults.ts';
import { basicCredentials, handle, sendDestination, type SimRequest } from '../server/routes.ts';
import type { SignalServer } from '../server/server.ts';
import { ConnectionError, type WireResponse } from './transport.ts';

/** A mounted server and the faults of its network. */
export interface Endpoint {
  server: SignalServer;
  faults?: Faults;
}

const encoder = new TextEncoder();
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Answers one request from `endpoint` (undefined: nothing is mounted there any more, 502).
 * Throws a `ConnectionError` when the network gives no answer: a `connection-error` fault (the
 * server never saw the request) or a `lose-response` fault (it handled it; the answer was lost).
 */
export function exchange(endpoint: Endpoint | undefined, req: SimRequest): WireResponse {
  if (!endpoint) return json(502, { code: 502, message: 'No simulated server here (the simulation ended)' });
  const destination = sendDestination(req.method, req.path);
  const sender = destination && basicCredentials(req.authorization);
  const fault = sender ? endpoint.faults?.onSend(sender.aci, destination) : undefined;
  if (fault?.kind === 'connection-error') throw new ConnectionError();
  if (fault?.kind === 'respond') return json(fault.status, { code: fault.status, message: fault.message }, fault.headers);
  const res = handle(endpoint.server, req);
  if (fault?.kind === 'lose-response') throw new ConnectionError(); // stored, but the answer never arrives
  if (res.body === undefined || req.method === 'HEAD') return { status: res.status, headers: lowerCase(res.headers) ?? NO_HEADERS };
  return json(res.status, res.body, res.headers);
}

function json(status: number, body: unknown, headers?: Record<string, string>): WireResponse {
  return { status, headers: headers ? { ...JSON_HEADERS, ...lowerCase(headers) } : JSON_HEADERS, body: encoder.encode(JSON.stringify(body)) };
}

/** Header names as HTTP compares them: in any case (a Response's Headers lower-case them too). */
function lowerCase(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
