/**
 * What a virtual device uses to reach the simulated Signal server: one HTTP request in, one
 * answer (or a connection error) out, as wire bytes. Two transports implement it (see index.ts):
 * `msw` (a real `fetch`, intercepted) and `direct` (an in-process call); both answer through the
 * one `exchange` (exchange.ts), so a run traces byte for byte the same whichever it uses.
 */

/** One request as a device sends it. */
export interface WireRequest {
  /** `GET`, `PUT`, `HEAD`... */
  method: string;
  /** Path and query, from the leading `/` (`/v1/messages/<aci>`), unencoded as the device built it. */
  path: string;
  /** The `Authorization` header (`Basic ...`), if the request carries one. */
  authorization?: string;
  /** The body's bytes (JSON text as UTF-8, `content-type: application/json`); none for GET and HEAD. */
  body?: Uint8Array;
}

/** The server's answer as it arrives at the device. */
export interface WireResponse {
  status: number;
  /** Response headers, names in lower case (`retry-after`, `content-type`). */
  headers: Readonly<Record<string, string>>;
  /** The body's bytes (JSON text as UTF-8); undefined when the answer has none (HEAD, a bare 200). */
  body?: Uint8Array;
}

/**
 * How a device reaches the server. `request` resolves with the server's answer, whatever its
 * status, or rejects with a `ConnectionError` when no answer arrives (a `connection-error` or
 * `lose-response` fault): the device maps that to `transient`, as Signal's client does a failed
 * connection.
 */
export interface Transport {
  /** Which transport this is (`--transport`). */
  readonly name: TransportName;
  request(request: WireRequest): Promise<WireResponse>;
  /** The server is gone (the simulation ended): later requests get a 502. */
  close(): void;
}

/** The transports a run can use (`--transport`, `SCT_TRANSPORT`). */
export const TRANSPORTS = ['direct', 'msw'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/**
 * No answer came: the connection failed, or broke after the server got the request. The same
 * words from either transport, since an app may log what its send failed with (traces must match).
 */
export class ConnectionError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the connection failed before an answer came', options);
    this.name = 'ConnectionError';
  }
}
