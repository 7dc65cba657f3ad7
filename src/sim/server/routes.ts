/**
 * HTTP routing for the simulated Signal server: authentication, body validation and the mapping
 * from paths to server operations. Pure: a request in, a response out, no transport.
 *
 * Routes (Signal-Server's paths and codes):
 *   PUT  /v2/keys                          upload this device's keys            200 400 401 422
 *   GET  /v2/keys                          this device's one-time key counts    200 401
 *   GET  /v2/keys/{aci}/{deviceId|*}       prekey bundles (consumes one-time)   200 401 404
 *   PUT  /v1/messages/{aci}                send one message to every device     200 400 401 404 409 410 413 422
 *   HEAD /v1/accounts/account/{aci}        does this account exist              200 404
 *   GET  /v1/sim/discovery/{e164}          phone number to ACI (CDSI stand-in)  200 401 404
 */
import type { ZodType, core } from 'zod';
import { canonicalAci, incomingMessageList, knownGoodMessageList, setKeysRequest } from './wire.ts';
import { error, type SignalServer, type SimResponse } from './server.ts';

/** One request as the routes see it, whichever transport carried it (see ../transport/). */
export interface SimRequest {
  method: string;
  /** The URL's path, percent-encoded as on the wire (`/v1/sim/discovery/%2B1555...` or `/v1/sim/discovery/+1555...`). */
  path: string;
  /** The URL's query, with its `?`; empty when there is none. */
  query: string;
  /** The Authorization header, if any. */
  authorization?: string;
  /** The body's bytes; empty when there is none. */
  body: Uint8Array;
}

const ACI = '[0-9a-fA-F-]{36}';

const routes: Array<[string, RegExp, (s: SignalServer, req: SimRequest, m: string[]) => SimResponse]> = [
  ['PUT', /^\/v2\/keys$/, putKeys],
  ['GET', /^\/v2\/keys$/, getKeyCounts],
  ['GET', new RegExp(`^/v2/keys/(${ACI})/(\\d+|\\*)$`), getKeys],
  ['PUT', new RegExp(`^/v1/messages/(${ACI})$`), putMessages],
  ['HEAD', new RegExp(`^/v1/accounts/account/(${ACI})$`), headAccount],
  ['GET', /^\/v1\/sim\/discovery\/(\+\d{6,15})$/, discover],
];

/** Answers one request. Never throws: anything unexpected becomes a 500 with the reason. */
export function handle(server: SignalServer, req: SimRequest): SimResponse {
  server.recordBody(req.body);
  // The path and query string too: the one place an app could put plaintext in front of the server (a lookup).
  server.recordBody(encoder.encode(safeDecode(req.path + req.query)));
  const path = req.path;
  // The first route for this path and method; a path some route serves with another method is 405.
  let route: (typeof routes)[number] | undefined;
  let pathKnown = false;
  for (const candidate of routes) {
    if (!candidate[1].test(path)) continue;
    pathKnown = true;
    if (candidate[0] === req.method) {
      route = candidate;
      break;
    }
  }
  if (!pathKnown) return error(404, `No route for ${path}`);
  if (!route) return error(405, `${req.method} is not allowed on ${path}`);
  try {
    // Every route's parameters are ACIs, device ids or E.164 numbers: lower case changes only an ACI.
    return route[2](server, req, route[1].exec(path)!.slice(1).map(canonicalAci));
  } catch (e) {
    return error(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const encoder = new TextEncoder();
// The BOM kept, as Buffer's UTF-8 keeps it: a body that starts with one is not JSON (400).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function safeDecode(text: string): string {
  if (!text.includes('%')) return text; // nothing to decode: the common case, kept cheap
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The `aci.deviceId:password` of a Basic authorization header, unchecked. */
export function basicCredentials(authorization: string | undefined): { aci: string; deviceId: number; password: string } | undefined {
  if (!authorization) return undefined;
  // Every request carries its device's header, read twice (the network's faults, then the
  // route): decoded once per distinct header. Frozen, so no caller can change another's copy.
  const known = credentialsSeen.get(authorization);
  if (known !== undefined) return known ?? undefined;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
  let credentials: ReturnType<typeof basicCredentials> | null = null;
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep >= 0) {
      const [aci, device = '1'] = decoded.slice(0, sep).split('.');
      credentials = Object.freeze({ aci: canonicalAci(aci!), deviceId: Number(device), password: decoded.slice(sep + 1) });
    }
  }
  if (credentialsSeen.size >= CREDENTIALS_KEPT) credentialsSeen.clear();
  credentialsSeen.set(authorization, credentials);
  return credentials ?? undefined;
}

/** Decoded authorization headers (null: not Basic credentials), at most CREDENTIALS_KEPT of them (a fleet's devices). */
const credentialsSeen = new Map<string, ReturnType<typeof basicCredentials> | null>();
const CREDENTIALS_KEPT = 50_000;

/** The destination ACI of a send request (PUT /v1/messages/{aci}), if it is one. */
export function sendDestination(method: string, path: string): string | undefined {
  const aci = method === 'PUT' ? SEND_PATH.exec(path)?.[1] : undefined;
  return aci && canonicalAci(aci);
}
const SEND_PATH = new RegExp(`^/v1/messages/(${ACI})$`);

function authenticated(server: SignalServer, req: SimRequest) {
  const credentials = basicCredentials(req.authorization);
  return credentials && server.authenticate(credentials.aci, credentials.deviceId, credentials.password);
}

const UNAUTHORIZED = error(401, 'Missing or invalid credentials');

/**
 * Parses and validates a JSON body; a problem becomes a 400 or a 422 naming the field
 * (`bodyProblem`). `knownGood`, if given, accepts a body the schema surely accepts, with the
 * schema's output, cheaper than the schema; anything it does not accept goes to the schema.
 */
function parseBody<T>(req: SimRequest, schema: ZodType<T>, knownGood?: (json: unknown) => T | undefined): { value: T } | { response: SimResponse } {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(req.body));
  } catch {
    return { response: error(400, 'Body is not valid JSON') };
  }
  const good = knownGood?.(json);
  if (good !== undefined) return { value: good };
  const result = schema.safeParse(json, { reportInput: true });
  return result.success ? { value: result.data } : { response: bodyProblem(result.error.issues) };
}

/**
 * Answers a body that fails its schema as Signal-Server's Dropwizard does. JSON that Jackson cannot
 * bind to the entity (a value of the wrong type, a string that is not base64) never reaches
 * validation: JsonProcessingExceptionMapper, 400. A bound entity that breaks a constraint (a
 * missing field: @NotNull; a size or range: @Size, @Max; an @AssertTrue such as
 * hasNoDuplicateRecipients) gets every violation listed: JerseyViolationExceptionMapper, whose
 * ConstraintMessage.determineStatus answers 422 for a request body (400 is for *Param violations).
 */
function bodyProblem(issues: core.$ZodIssue[]): SimResponse {
  const describe = (issue: core.$ZodIssue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`;
  const unbindable = issues.find(
    (issue) => (issue.code === 'invalid_type' && issue.input !== undefined && issue.input !== null) || issue.code === 'invalid_format',
  );
  if (unbindable) return error(400, describe(unbindable));
  return { status: 422, body: { errors: issues.map(describe) } };
}

function putKeys(server: SignalServer, req: SimRequest): SimResponse {
  const auth = authenticated(server, req);
  if (!auth) return UNAUTHORIZED;
  const parsed = parseBody(req, setKeysRequest);
  if ('response' in parsed) return parsed.response;
  return server.setKeys(auth.account, auth.device, parsed.value);
}

/** KeysController.getStatus: `{count, pqCount}` for the authenticated device (its `identity` query, ACI or PNI, does not apply here: ACIs only). */
function getKeyCounts(server: SignalServer, req: SimRequest): SimResponse {
  const auth = authenticated(server, req);
  if (!auth) return UNAUTHORIZED;
  return { status: 200, body: server.preKeyCounts(auth.device) };
}

function getKeys(server: SignalServer, req: SimRequest, [aci, device]: string[]): SimResponse {
  if (!authenticated(server, req)) return UNAUTHORIZED;
  return server.getKeys(aci!, device!);
}

function putMessages(server: SignalServer, req: SimRequest, [destination]: string[]): SimResponse {
  const auth = authenticated(server, req);
  if (!auth) return UNAUTHORIZED;
  const parsed = parseBody(req, incomingMessageList, knownGoodMessageList);
  if ('response' in parsed) return parsed.response;
  return server.sendMessage(auth, destination!, parsed.value);
}

function headAccount(server: SignalServer, _req: SimRequest, [aci]: string[]): SimResponse {
  return server.accountExists(aci!) ? { status: 200 } : { status: 404 };
}

function discover(server: SignalServer, req: SimRequest, [number]: string[]): SimResponse {
  if (!authenticated(server, req)) return UNAUTHORIZED;
  const aci = server.discover(number!);
  return aci ? { status: 200, body: { aci } } : error(404, 'Not on Signal');
}
