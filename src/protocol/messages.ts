/**
 * The credential-transfer protocol: the application messages credential apps exchange as the
 * plaintext of Signal messages (UTF-8 JSON). These zod schemas are the single source of truth;
 * docs/protocol.md describes them. Message sequence and contents follow the IETF TIGRESS drafts,
 * with the relay mailbox replaced by Signal accounts.
 *
 * Each field carries a description; docs/protocol.md's field tables are generated from them
 * (`npm run docs`), and a test fails when the two differ.
 *
 * Rules every message follows:
 * - `version` is the protocol version (this is 1); a receiver refuses a version it does not know.
 * - `messageId` is unique per message: a receiver processes a given id once (de-duplication).
 * - `transferId` names the transfer (one share) the message belongs to.
 * - Unknown top-level fields, and unknown fields in `displayInformation`, are tolerated and
 *   ignored (forward compatibility).
 */
import { z } from 'zod';
import { fingerprint } from './signing.ts';
import type { ProtocolFailureReason as ContractFailureReason } from '../adapter/contract.ts';

/** Whether two types are the same (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const PROTOCOL_VERSION = 1;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
const publicKey = base64.max(256);

const common = {
  version: z.number().int().positive().describe('Protocol version: 1.'),
  messageId: uuid.describe('Unique per message; a receiver processes a message id once.'),
  transferId: uuid.describe('The transfer (one share) this message belongs to; chosen by the sender.'),
};

/** Why a transfer ended without a credential (TransferComplete.reason). */
export const failureReason = z.enum([
  /** The invitation's expiration had passed when it was processed. */
  'expired',
  /** A message did not match its schema. */
  'malformed',
  /** The final package was signed over a key other than the one the receiver generated. */
  'key-mismatch',
  /** The final package's signature does not verify with the inviting sender's key. */
  'bad-signature',
  /** The flow, format or protocol version is not supported. */
  'unsupported',
  /** The sender cancelled the share. */
  'cancelled',
  /** Another device of the receiver's account took the share (the sender bound it to that one). */
  'taken',
]);

export const displayInformation = z.looseObject({
  title: z.string().min(1).max(256).describe('Shown to the receiving user, e.g. "Car key".'),
  description: z.string().max(4096).describe('Shown to the receiving user.'),
  imageURL: z.url().optional().describe('An image of the credential.'),
});

/** 1. sender -> receiver: the offer, carrying the provisioning information. */
export const shareInvitation = z
  .looseObject({
    type: z.literal('ShareInvitation'),
    ...common,
    flow: z.enum(['stateless', 'stateful']).describe('Which flow the share follows.'),
    format: z
      .string()
      .min(1)
      .max(256)
      .describe('Credential format, e.g. `digitalwallet.carkey.ccc`, `digitalwallet.generic.authorizationToken`.'),
    displayInformation: displayInformation.describe('What the receiving user is shown.'),
    expiration: z.iso
      .datetime({ offset: true })
      .describe('When the share stops being redeemable; from then on it must be refused.'),
    provisioningInformation: z
      .string()
      .min(1)
      .max(64 * 1024)
      .describe('Opaque to the transport (base64 for binary). Stateless: all the receiver needs to provision.'),
    senderPublicKey: publicKey
      .optional()
      .describe("Stateful only, and required there: the sender's credential key (Ed25519, base64 SPKI DER) that will sign the final package."),
  })
  .refine((m) => m.flow !== 'stateful' || m.senderPublicKey !== undefined, {
    message: 'a stateful invitation must carry senderPublicKey',
    path: ['senderPublicKey'],
  });

/** 2. receiver -> sender (stateful): the receiver's new key for this credential, to be signed. */
export const keySigningRequest = z.looseObject({
  type: z.literal('KeySigningRequest'),
  ...common,
  receiverPublicKey: publicKey.describe('The key the receiver generated for this credential (Ed25519, base64 SPKI DER).'),
});

/** 3. sender -> receiver (stateful): the final package, bound to the receiver's key. */
export const keyImportRequest = z.looseObject({
  type: z.literal('KeyImportRequest'),
  ...common,
  receiverPublicKey: publicKey.describe('The receiver key the sender signed: must be the one the receiver generated.'),
  receiverDeviceId: z
    .number()
    .int()
    .min(1)
    .describe('The receiving device the transfer is bound to: the one whose KeySigningRequest came first. Other devices of the account learn the share was taken.'),
  signature: base64
    .max(256)
    .describe("The sender's Ed25519 signature, with the invitation's senderPublicKey, over the key-import payload (see Signatures)."),
  credentialData: z
    .string()
    .min(1)
    .max(64 * 1024)
    .describe('What the receiver provisions, together with its signed key.'),
});

/** 4. receiver -> sender: how the transfer ended (replaces the relay's DeleteMailbox). */
export const transferComplete = z
  .looseObject({
    type: z.literal('TransferComplete'),
    ...common,
    status: z.enum(['provisioned', 'declined', 'failed']).describe('How the transfer ended at the receiver.'),
    reason: failureReason.optional().describe('Why; required when status is failed (see Failure reasons).'),
  })
  .refine((m) => m.status !== 'failed' || m.reason !== undefined, {
    message: 'a failed TransferComplete must carry a reason',
    path: ['reason'],
  });

/** sender -> receiver: withdraws an in-flight share (TIGRESS: a share can be cancelled at any time). */
export const shareCancel = z.looseObject({
  type: z.literal('ShareCancel'),
  ...common,
});

export const protocolMessage = z.discriminatedUnion('type', [
  shareInvitation,
  keySigningRequest,
  keyImportRequest,
  transferComplete,
  shareCancel,
]);

/** Every message schema by type, in protocol order (docs, tests). */
export const MESSAGE_SCHEMAS = {
  ShareInvitation: shareInvitation,
  KeySigningRequest: keySigningRequest,
  KeyImportRequest: keyImportRequest,
  TransferComplete: transferComplete,
  ShareCancel: shareCancel,
} as const;

export type ProtocolFailureReason = z.infer<typeof failureReason>;
// The adapter contract spells the reasons out (it imports nothing, so an app needs no other
// module for its types): the two lists must be the same.
true satisfies Same<ProtocolFailureReason, ContractFailureReason>;
export type ShareInvitation = z.infer<typeof shareInvitation>;
export type KeySigningRequest = z.infer<typeof keySigningRequest>;
export type KeyImportRequest = z.infer<typeof keyImportRequest>;
export type TransferComplete = z.infer<typeof transferComplete>;
export type ShareCancel = z.infer<typeof shareCancel>;
export type ProtocolMessage = z.infer<typeof protocolMessage>;
export type MessageType = ProtocolMessage['type'];

export function encode(message: ProtocolMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

export type Decoded =
  | { ok: true; message: ProtocolMessage }
  | {
      ok: false;
      /** What is wrong, naming the field: "expiration: Invalid ISO datetime". */
      problem: string;
      /** What could be read despite the problem, so the receiver can answer. */
      type?: string;
      transferId?: string;
      messageId?: string;
    };

/** Parses and validates bytes received from a peer. Never throws. */
export function decode(bytes: Uint8Array): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, problem: 'not UTF-8 JSON' };
  }
  const result = protocolMessage.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0]!;
  const raw = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    ok: false,
    problem: `${issue.path.join('.') || 'message'}: ${issue.message}`,
    type: text(raw.type),
    transferId: uuid.safeParse(raw.transferId).success ? text(raw.transferId) : undefined,
    messageId: text(raw.messageId),
  };
}

/** A summary for the trace: type and ids, never the provisioning information. */
export function describe(bytes: Uint8Array): Record<string, unknown> {
  // Not a JSON object at all (the benchmark's raw bytes): say so without paying for a parse error.
  if (bytes[0] !== 0x7b /* { */) return { message: 'unreadable' };
  const decoded = decode(bytes);
  if (decoded.ok) {
    const m = decoded.message;
    return {
      message: m.type,
      transferId: m.transferId,
      messageId: m.messageId,
      ...(m.type === 'TransferComplete' ? { status: m.status, reason: m.reason } : {}),
      ...(m.type === 'KeySigningRequest' || m.type === 'KeyImportRequest' ? { receiverKey: fingerprint(m.receiverPublicKey) } : {}),
    };
  }
  return { message: decoded.type ?? 'unreadable', transferId: decoded.transferId, problem: decoded.problem };
}

/**
 * A version-4 UUID drawn from a random source, for message and transfer ids. Apps pass the
 * seeded `random` of their context, so a run replays with the same ids.
 */
export function randomUuid(random: () => number): string {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(random() * 16);
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}
