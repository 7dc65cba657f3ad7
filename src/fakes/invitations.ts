/**
 * Invitations the harness sends itself, as a scripted sender: well-formed ones built from a
 * share request, and deliberately altered ones (extra fields, missing or wrong fields) to see
 * how a receiving app copes.
 */
import type { ShareRequest } from '../adapter/contract.ts';
import { PROTOCOL_VERSION, type ShareInvitation } from '../protocol/messages.ts';

export type RawMessage = Record<string, unknown>;

export function buildInvitation(request: ShareRequest, ids: { transferId: string; messageId: string }): ShareInvitation {
  return {
    type: 'ShareInvitation',
    version: PROTOCOL_VERSION,
    messageId: ids.messageId,
    transferId: ids.transferId,
    flow: request.flow,
    format: request.format,
    displayInformation: { ...request.displayInformation },
    expiration: new Date(request.expiresAt).toISOString(),
    provisioningInformation: request.provisioningInformation,
  };
}

/** Sets a field by dotted path ("displayInformation.x-badge"), creating objects on the way. */
export function withField(message: RawMessage, path: string, value: unknown): RawMessage {
  const copy = structuredClone(message);
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof target[key] !== 'object' || target[key] === null) target[key] = {};
    target = target[key] as RawMessage;
  }
  target[keys.at(-1)!] = value;
  return copy;
}

/** Removes a field by dotted path. */
export function withoutField(message: RawMessage, path: string): RawMessage {
  const copy = structuredClone(message);
  const keys = path.split('.');
  let target: RawMessage | undefined = copy;
  for (const key of keys.slice(0, -1)) target = target?.[key] as RawMessage | undefined;
  if (target) delete target[keys.at(-1)!];
  return copy;
}

export function toBytes(message: RawMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}
