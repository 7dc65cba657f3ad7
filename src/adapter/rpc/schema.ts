/**
 * The out-of-process adapter protocol (docs/adapter-protocol.md): every message an app in its own
 * process and the harness exchange, as zod schemas. JSON-RPC 2.0, one JSON object per line on the
 * app's stdin (harness to app) and stdout (app to harness). The JSON Schema in
 * docs/adapter-protocol.schema.json is generated from this module (`npm run docs`).
 *
 * It carries exactly the in-process contract (src/adapter/contract.ts), both ways. Every call and
 * notification names the app `instance` it is for: one process may host the apps of several
 * simulated phones, each created by its own `initialize`.
 */
import { z } from 'zod';
import { appEvent as checkedAppEvent } from '../checks.ts';

/** The protocol's version: `initialize` carries it; an app that speaks another answers with an error. */
export const ADAPTER_PROTOCOL_VERSION = '1.0';

const instance = z.string().min(1).describe('The app instance (one per simulated phone) the message is for, as `initialize` named it.');
const now = z.number().int().describe('Simulated time at the call, in milliseconds since the Unix epoch. Time does not move while a call is unanswered.');
const aci = z.string().describe('A Signal account identifier (a UUID).');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'standard base64').describe('Bytes, as standard base64 with padding.');

const account = z.object({ aci, number: z.string().optional().describe('The phone number (E.164), when known.') });
const device = account.extend({ deviceId: z.number().int().positive().describe("Which of the account's devices.") });

const flow = z.enum(['stateless', 'stateful']);

/** ShareRequest of the in-process contract. */
const shareRequest = z.object({
  recipient: z.string().describe('An E.164 phone number or an ACI.'),
  flow,
  format: z.string().describe('e.g. digitalwallet.carkey.ccc'),
  displayInformation: z.object({ title: z.string(), description: z.string(), imageURL: z.string().optional() }),
  expiresAt: z.number().int().describe('When the share stops being redeemable (simulated milliseconds since the epoch).'),
  provisioningInformation: z.string().describe('The provisioning information (opaque; base64 for binary).'),
});

/** AppEvent of the in-process contract: the schema the harness checks in-process reports with. */
const appEvent = checkedAppEvent;

/** Why a send or lookup failed: SignalSendErrorKind of the in-process contract. */
export const sendErrorKind = z.enum(['not-registered', 'sender-not-registered', 'rate-limited', 'transient', 'identity-changed', 'too-large', 'rejected']);

// ---------------------------------------------------------------------------------------------
// Harness to app. Calls (JSON-RPC requests) expect an answer; time stands still until it comes.
// ---------------------------------------------------------------------------------------------

export const harnessCalls = {
  initialize: {
    params: z.object({
      protocolVersion: z.string().describe(`The adapter protocol version, "${ADAPTER_PROTOCOL_VERSION}".`),
      instance,
      self: device.describe("This phone's own Signal account, and which of its devices this phone is."),
      seed: z.number().int().min(0).max(0xffffffff).describe("Seed for the app's randomness (ids, jitter): the same seed, the same run."),
      now,
    }),
    result: z.object({
      name: z.string().min(1).describe('The app, for messages and reports.'),
      capabilities: z.object({ flows: z.array(flow).min(1).optional() }).optional().describe('Which flows the app implements (both when left out).'),
    }),
  },
  share: {
    params: z.object({ instance, now, request: shareRequest }),
    result: z.object({ transferId: z.string().min(1) }),
  },
  cancel: {
    params: z.object({ instance, now, transferId: z.string() }),
    result: z.null(),
  },
  message: {
    params: z.object({
      instance,
      now,
      from: device.describe('Who sent it, as authenticated by the Signal session.'),
      bytes: base64,
      sentAt: z.number().int().describe("The sender's timestamp."),
      serverTimestamp: z.number().int().describe('When the server accepted it.'),
    }),
    result: z.null().describe('Answered once the app handled the message: the harness then acknowledges it to the server.'),
  },
  identityConfirmed: {
    params: z.object({ instance, now, aci }),
    result: z.null(),
  },
  timer: {
    params: z.object({ instance, now, id: z.string().describe('The id the app gave in setTimer.') }),
    result: z.null(),
  },
  stop: {
    params: z.object({ instance, now }),
    result: z.null(),
  },
} as const;

/** Harness to app, no answer expected. */
export const harnessNotifications = {
  /**
   * A peer's identity key changed (a new safety number). Sent before the answer to the `send` that
   * met the change, or before the `message` that brought it.
   */
  identityChanged: z.object({ instance, now, aci }),
  /**
   * This phone's Signal account or device changed (Signal registered again: a reinstall, or a new
   * account for the same number after a deletion). Sent before the next call or notification.
   */
  selfChanged: z.object({ instance, now, self: device }),
} as const;

// ---------------------------------------------------------------------------------------------
// App to harness.
// ---------------------------------------------------------------------------------------------

export const appCalls = {
  lookup: {
    params: z.object({ instance, recipient: z.string().describe('An E.164 phone number or an ACI.') }),
    result: z.object({ account: account.nullable().describe('The account, or null when the recipient is not on Signal.') }),
  },
  send: {
    params: z.object({ instance, recipient: z.string().describe('An E.164 phone number or an ACI.'), bytes: base64 }),
    result: z.object({ to: aci.describe("The recipient's ACI."), timestamp: z.number().int().describe('The timestamp the message was sent with.') }),
  },
  now: {
    params: z.object({ instance }),
    result: z.object({ now }),
  },
} as const;

export const appNotifications = {
  setTimer: z.object({
    instance,
    id: z.string().min(1).describe("The app's own name for the timer, unique among its instance's pending timers."),
    ms: z.number().describe('Simulated milliseconds from now (rounded up to a whole millisecond; negative counts as 0).'),
  }),
  clearTimer: z.object({ instance, id: z.string() }),
  log: z.object({ instance, message: z.string(), detail: z.record(z.string(), z.unknown()).optional() }),
  report: z.object({ instance, event: appEvent }),
} as const;

/** The `data` of the JSON-RPC error a failed lookup or send is answered with. */
export const sendErrorData = z.object({
  kind: sendErrorKind,
  retryAfterMs: z.number().int().min(0).optional().describe('rate-limited: wait at least this long before trying again.'),
});

/** The JSON-RPC error code of a failed lookup or send (the failure is in `data.kind`). */
export const SEND_FAILED_CODE = 1;

export type HarnessCall = keyof typeof harnessCalls;
export type AppCall = keyof typeof appCalls;
export type AppNotification = keyof typeof appNotifications;
export type ParamsOf<T extends { params: z.ZodType }> = z.infer<T['params']>;

// ---------------------------------------------------------------------------------------------
// JSON-RPC 2.0 framing.
// ---------------------------------------------------------------------------------------------

const id = z.union([z.number().int(), z.string()]);

/** One line of either side: a request, a notification or a response. */
export const rpcLine = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id, method: z.string(), params: z.unknown().optional() }).strict(),
  z.object({ jsonrpc: z.literal('2.0'), method: z.string(), params: z.unknown().optional() }).strict(),
  z.object({ jsonrpc: z.literal('2.0'), id, result: z.unknown() }).strict(),
  z.object({
    jsonrpc: z.literal('2.0'),
    id: id.nullable(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  }).strict(),
]);
export type RpcLine = z.infer<typeof rpcLine>;

/** docs/adapter-protocol.schema.json, as written. */
export function adapterProtocolJson(): string {
  return `${JSON.stringify(adapterProtocolJsonSchema(), null, 2)}\n`;
}

/** The JSON Schema of the whole protocol, for docs/adapter-protocol.schema.json. */
export function adapterProtocolJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  // As input: extra fields are tolerated (and ignored) by both sides, so the schema does not forbid them.
  const json = (schema: z.ZodType) => {
    const { $schema: _, ...definition } = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
    return definition;
  };
  for (const [method, { params, result }] of Object.entries(harnessCalls)) {
    defs[`harness.${method}.params`] = json(params);
    defs[`harness.${method}.result`] = json(result);
  }
  for (const [method, params] of Object.entries(harnessNotifications)) defs[`harness.${method}.params`] = json(params);
  for (const [method, { params, result }] of Object.entries(appCalls)) {
    defs[`app.${method}.params`] = json(params);
    defs[`app.${method}.result`] = json(result);
  }
  for (const [method, params] of Object.entries(appNotifications)) defs[`app.${method}.params`] = json(params);
  defs['app.sendError.data'] = json(sendErrorData);
  defs['jsonrpc.line'] = json(rpcLine);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `sct-conformance adapter protocol ${ADAPTER_PROTOCOL_VERSION}`,
    description: 'Messages between the harness and a credential app in its own process (docs/adapter-protocol.md). `harness.*`: sent by the harness; `app.*`: sent by the app.',
    $defs: defs,
  };
}
