/**
 * How virtual devices reach the simulated Signal server. One interface (`Transport`,
 * transport.ts), two ways (msw.ts: a real `fetch` msw intercepts; direct.ts: an in-process
 * call), one shared answer (exchange.ts: faults, routes, wire bytes), chosen per run (choice.ts).
 */
import type { Faults } from '../faults.ts';
import type { SignalServer } from '../server/server.ts';
import { DirectTransport } from './direct.ts';
import { MswTransport } from './msw.ts';
import type { Transport, TransportName } from './transport.ts';

export { ConnectionError, TRANSPORTS, type Transport, type TransportName, type WireRequest, type WireResponse } from './transport.ts';
export { DEFAULT_TRANSPORT, parseTransport, runTransport } from './choice.ts';
export { exchange, type Endpoint } from './exchange.ts';
export { DirectTransport } from './direct.ts';
export { MswTransport, SIM_DOMAIN, ensureInterceptor, mount } from './msw.ts';

/** A transport of the given kind to `server`, with the faults of its network. */
export function createTransport(name: TransportName, server: SignalServer, faults?: Faults): Transport {
  return name === 'msw' ? new MswTransport(server, faults) : new DirectTransport(server, faults);
}
