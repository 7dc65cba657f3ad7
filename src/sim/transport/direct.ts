/**
 * The `direct` transport: a request goes to the server's routes by a function call in this
 * process, with the same wire bytes as over msw (JSON text as UTF-8 in, the same out), so the
 * server still parses and validates real bodies and its plaintext observer sees what it would
 * see over HTTP. No fetch, no Request or Response objects, no interceptor patching the process.
 */
import type { Faults } from '../faults.ts';
import type { SignalServer } from '../server/server.ts';
import { exchange, type Endpoint } from './exchange.ts';
import type { Transport, WireRequest, WireResponse } from './transport.ts';

const NO_BODY = new Uint8Array(0);
/**
 * A path the WHATWG URL parser leaves as it is: segments of unreserved characters, none `.` or
 * `..`. Anything else (a space, `%`, `?`, `#`, `\`, a dot segment, non-ASCII in a number an app
 * looked up) is parsed as `fetch` would parse it, so both transports hand the routes the same path.
 */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~+\-:@!$&'()*,;=]*)*$/;

export class DirectTransport implements Transport {
  readonly name = 'direct' as const;
  private endpoint: Endpoint | undefined;

  constructor(server: SignalServer, faults?: Faults) {
    this.endpoint = { server, faults };
  }

  async request({ method, path, authorization, body }: WireRequest): Promise<WireResponse> {
    const parsed = PLAIN_PATH.test(path) ? { pathname: path, search: '' } : new URL(`https://direct.invalid${path}`);
    return exchange(this.endpoint, { method, path: parsed.pathname, query: parsed.search, authorization, body: body ?? NO_BODY });
  }

  close(): void {
    this.endpoint = undefined;
  }
}
