/**
 * The credential-transfer protocol: the application messages credential apps exchange as the
 * plaintext of Signal messages (UTF-8 JSON). These zod schemas are the single source of truth;
 * docs/protocol.md describes them. Message sequence and contents follow the IETF TIGRESS drafts,
 * with the relay mailbox replaced by Signal accounts.
 *
 * Rules every message follows:
 * - `version` is the protocol version (this is 1); a receiver refuses a version it does not know.
 * - `messageId` is unique per message: a receiver processes a given id once (de-duplication).
 * - `transferId` names the transfer (one share) the message belongs to.
 * - Unknown top-level fields, and unknown fields in `displayInformation`, are tolerated and
 *   ignored (forward compatibility).
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

const common = {
  version: z.number().int().positive(),
  messageId: uuid,
  transferId: uuid,
};

/** Why a transfer ended without a credential (TransferComplete.reason). */
export const failureReason = z.enum([
  /** The invitation's expiration had passed when it was processed. */
  'expired',
  /** A message did not match its schema. */
  'malformed',
  /** The flow, format or protocol version is not supported. */
  'unsupported',
  /** The sender cancelled the share. */
  'cancelled',
  /** Another device of the receiver's account already took the share. */
  'taken',
]);

export const displayInformation = z.looseObject({
  title: z.string().min(1).max(256),
  description: z.string().max(4096),
  imageURL: z.url().optional(),
});

/** 1. sender -> receiver: the offer, carrying the provisioning information. */
export const shareInvitation = z.looseObject({
  type: z.literal('ShareInvitation'),
  ...common,
  flow: z.enum(['stateless', 'stateful']),
  /** e.g. `digitalwallet.carkey.ccc`, `digitalwallet.generic.authorizationToken`. */
  format: z.string().min(1).max(256),
  displayInformation,
  /** RFC 3339 date-time; after it the invitation must be refused. Mandatory (TIGRESS). */
  expiration: z.iso.datetime({ offset: true }),
  /** Opaque to the transport; for the stateless flow, everything the receiver needs to provision. */
  provisioningInformation: z.string().min(1).max(64 * 1024),
});

/** 4. receiver -> sender: how the transfer ended (replaces the relay's DeleteMailbox). */
export const transferComplete = z
  .looseObject({
    type: z.literal('TransferComplete'),
    ...common,
    status: z.enum(['provisioned', 'declined', 'failed']),
    reason: failureReason.optional(),
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

export const protocolMessage = z.discriminatedUnion('type', [shareInvitation, transferComplete, shareCancel]);

export type ShareInvitation = z.infer<typeof shareInvitation>;
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
