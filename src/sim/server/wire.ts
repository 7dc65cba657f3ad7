/**
 * The HTTP wire format of the simulated Signal server: the subset of Signal-Server's REST API the
 * virtual devices use, with Signal-Server's field names. Keys and message contents are base64.
 * Request bodies are validated with these schemas, failures answered as Signal-Server's Dropwizard
 * does (see `bodyProblem` in routes.ts): JSON it cannot bind (Jackson: wrong type, bad base64) 400,
 * a constraint violation (bean validation: @NotNull, @Size, @Max, @AssertTrue) 422. Unknown fields
 * are dropped, as Signal-Server's Jackson mapper ignores them (SystemMapper: FAIL_ON_UNKNOWN_PROPERTIES off).
 */
import { z } from 'zod';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64 = z.string().regex(BASE64, 'must be base64');
const keyId = z.number().int().min(0).max(0xffffff);

/**
 * An ACI in its one spelling, lower case: Signal parses every ACI it is given (the server a path:
 * AciServiceIdentifier.valueOf, or credentials: AccountAuthenticator; a client a peer's) with
 * java.util.UUID.fromString, which takes upper-case hex, and compares UUIDs, not strings.
 */
export function canonicalAci(aci: string): string {
  return aci.toLowerCase();
}

export const ecPreKey = z.object({ keyId, publicKey: base64 });
export const signedPreKey = z.object({ keyId, publicKey: base64, signature: base64 });

/**
 * PUT /v2/keys: the keys one device publishes. Every part is optional, as in Signal-Server. There
 * is no identity key, as in Signal-Server's SetKeysRequest: registration sets it (createAccount,
 * reregisterAccount) and the signed keys must verify against it; an `identityKey` sent is ignored.
 */
export const setKeysRequest = z.object({
  preKeys: z.array(ecPreKey).max(100).optional(),
  signedPreKey: signedPreKey.optional(),
  pqPreKeys: z.array(signedPreKey).max(100).optional(),
  pqLastResortPreKey: signedPreKey.optional(),
});
export type SetKeysRequest = z.infer<typeof setKeysRequest>;

/** One device's entry in a GET /v2/keys answer. */
export interface PreKeyResponseItem {
  deviceId: number;
  registrationId: number;
  preKey?: z.infer<typeof ecPreKey>;
  signedPreKey: z.infer<typeof signedPreKey>;
  pqPreKey: z.infer<typeof signedPreKey>;
}

/** GET /v2/keys/{serviceId}/{deviceId|*} */
export interface PreKeyResponse {
  identityKey: string;
  devices: PreKeyResponseItem[];
}

/** Envelope types, as in Signal's Envelope.Type. */
export const EnvelopeType = {
  /** A Double Ratchet (Whisper) message on an existing session. */
  CIPHERTEXT: 1,
  /** A PreKey message that also sets up the session (PQXDH). */
  PREKEY_BUNDLE: 3,
} as const;

/** One device's copy in PUT /v1/messages/{destination}. */
export const incomingMessage = z.object({
  // A number that is no envelope type the simulator carries is a constraint violation (422), as
  // Signal-Server's IncomingMessage.isValidEnvelopeType (@AssertTrue); not a number, Jackson's 400.
  type: z.number().pipe(
    z.union([z.literal(EnvelopeType.CIPHERTEXT), z.literal(EnvelopeType.PREKEY_BUNDLE)], {
      error: `must be ${EnvelopeType.CIPHERTEXT} (CIPHERTEXT) or ${EnvelopeType.PREKEY_BUNDLE} (PREKEY_BUNDLE)`,
    }),
  ),
  destinationDeviceId: z.number().int().min(1).max(127),
  destinationRegistrationId: z.number().int().min(0).max(0x3fff),
  content: base64.min(1, 'must not be empty'),
});

/** PUT /v1/messages/{destination} */
export const incomingMessageList = z
  .object({
    messages: z.array(incomingMessage).min(1, 'must name at least one device'),
    timestamp: z.number().int().nonnegative(),
    online: z.boolean().default(false),
    urgent: z.boolean().default(true),
  })
  // Signal-Server's IncomingMessageList.hasNoDuplicateRecipients (@AssertTrue): one copy per device.
  .superRefine((list, ctx) => {
    const seen = new Set<number>();
    for (const m of list.messages) {
      if (seen.has(m.destinationDeviceId)) {
        ctx.addIssue({ code: 'custom', path: ['messages'], message: `destinationDeviceId ${m.destinationDeviceId} is named twice (noDuplicateRecipients must be true)` });
        return;
      }
      seen.add(m.destinationDeviceId);
    }
  });
export type IncomingMessageList = z.infer<typeof incomingMessageList>;

const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * The send body as `incomingMessageList` parses it, when it surely passes: every field present
 * with the right type and in range, no device named twice; `undefined` for anything else, which
 * then goes to the schema for its verdict and its error messages. Sends are the hot path of the
 * simulation, and the schema costs several times this check. The output is the schema's: the
 * same fields in the same order, unknown ones dropped, `online` and `urgent` defaulted.
 */
export function knownGoodMessageList(json: unknown): IncomingMessageList | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { messages, timestamp, online = false, urgent = true } = json as Record<string, unknown>;
  if (!Array.isArray(messages) || messages.length === 0 || !isInt(timestamp, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  if (typeof online !== 'boolean' || typeof urgent !== 'boolean') return undefined;
  const out: IncomingMessageList['messages'] = [];
  const seen = new Set<number>();
  for (const m of messages) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined;
    const { type, destinationDeviceId, destinationRegistrationId, content } = m as Record<string, unknown>;
    if (type !== EnvelopeType.CIPHERTEXT && type !== EnvelopeType.PREKEY_BUNDLE) return undefined;
    if (!isInt(destinationDeviceId, 1, 127) || !isInt(destinationRegistrationId, 0, 0x3fff) || seen.has(destinationDeviceId)) return undefined;
    if (typeof content !== 'string' || content.length === 0 || !BASE64.test(content)) return undefined;
    seen.add(destinationDeviceId);
    out.push({ type, destinationDeviceId, destinationRegistrationId, content });
  }
  return { messages: out, timestamp, online, urgent };
}

/** 200 to a send. */
export interface SendMessageResponse {
  needsSync: boolean;
}
/** 409 to a send: the sender's device list for the recipient is out of date. */
export interface MismatchedDevices {
  missingDevices: number[];
  extraDevices: number[];
}
/** 410 to a send: these devices re-registered; their sessions are stale. */
export interface StaleDevices {
  staleDevices: number[];
}
/** Any other error body, in Dropwizard's shape as Signal-Server sends it. */
export interface ErrorBody {
  code: number;
  message: string;
}
/** 422 to a request body that breaks a constraint: Dropwizard's ValidationErrorMessage, one line per violation. */
export interface ValidationErrorBody {
  errors: string[];
}

/** What the server pushes to a connected device (Signal sends it over the authenticated websocket). */
export interface Envelope {
  type: number;
  sourceServiceId: string;
  sourceDevice: number;
  destinationServiceId: string;
  /** The sender's timestamp for the message. */
  clientTimestamp: number;
  /** When the server accepted it (simulated time). */
  serverTimestamp: number;
  /** The server's id for this envelope; acknowledgements name it. */
  serverGuid: string;
  urgent: boolean;
  /** Ciphertext. */
  content: Uint8Array;
}

/** Signal-Server's limit on one message body (content), in bytes. */
export const MAX_CONTENT_BYTES = 96 * 1024;
