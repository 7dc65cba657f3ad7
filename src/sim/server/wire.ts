/**
 * The HTTP wire format of the simulated Signal server: the subset of Signal-Server's REST API the
 * virtual devices use, with Signal-Server's field names. Keys and message contents are base64.
 * Request bodies are validated with these schemas; a failure becomes a 400 naming the field.
 */
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const keyId = z.number().int().min(0).max(0xffffff);

export const ecPreKey = z.object({ keyId, publicKey: base64 });
export const signedPreKey = z.object({ keyId, publicKey: base64, signature: base64 });

/** PUT /v2/keys: the keys one device publishes. Every part is optional, as in Signal-Server. */
export const setKeysRequest = z.object({
  identityKey: base64.optional(),
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
  type: z.union([z.literal(EnvelopeType.CIPHERTEXT), z.literal(EnvelopeType.PREKEY_BUNDLE)]),
  destinationDeviceId: z.number().int().min(1).max(127),
  destinationRegistrationId: z.number().int().min(0).max(0x3fff),
  content: base64.min(1, 'must not be empty'),
});

/** PUT /v1/messages/{destination} */
export const incomingMessageList = z.object({
  messages: z.array(incomingMessage).min(1, 'must name at least one device'),
  timestamp: z.number().int().nonnegative(),
  online: z.boolean().default(false),
  urgent: z.boolean().default(true),
});
export type IncomingMessageList = z.infer<typeof incomingMessageList>;

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
