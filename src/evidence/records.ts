/**
 * The harness's own records of one phone, read for the evidence rules: what its Signal devices
 * (every device the phone has had) got the server to accept and what they decrypted and handed
 * to the app (`VirtualDevice.plaintexts`), and the trace events the devices and the server wrote
 * (`device.sent` for every send attempt, `device.received`, `device.lookup`...). Nothing here
 * comes from what the app reported or logged.
 */
import type { ShareRequest } from '../adapter/contract.ts';
import { decode, type ProtocolMessage } from '../protocol/messages.ts';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { TraceEvent } from '../sim/trace.ts';

/** A share as the steps remember it (structurally the World's `Share`). */
export interface ShareFacts {
  transferId: string;
  /** "car key": for messages. */
  kind: string;
  sender: Phone;
  /** Undefined when the recipient is not on Signal. */
  receiver?: Phone;
  request: ShareRequest;
}

export type MessageType = ProtocolMessage['type'];
export type MessageOf<T extends MessageType> = Extract<ProtocolMessage, { type: T }>;

/** One protocol message a device sent (accepted by the server) or received (decrypted, handed to the app). */
export interface Seen<T extends MessageType = MessageType> {
  message: MessageOf<T>;
  /** The other account (ACI): the recipient of a sent message, the authenticated sender of a received one. */
  peer: string;
  /** The id, within its account, of this phone's device that sent or received it. */
  deviceId: number;
}

/** Every account (ACI) a phone has been registered with, so far. */
export function accountsOf(phone: Phone): Set<string> {
  return new Set(phone.devices.map((d) => d.aci));
}

/** The recipient's accounts of a share (none when the recipient is not on Signal). */
export function recipientAccounts(share: ShareFacts): Set<string> {
  return share.receiver ? accountsOf(share.receiver) : new Set();
}

/** The account part of a trace address `aci.deviceId`. */
export const accountOf = (address: unknown): string => String(address).replace(/\.\d+$/, '');

/** Reads one phone's records. */
export class PhoneRecords {
  private readonly labels: Set<string>;

  constructor(
    private readonly sim: Simulation,
    readonly phone: Phone,
  ) {
    this.labels = new Set(phone.devices.map((d) => d.label));
  }

  /** Well-formed protocol messages of a transfer the server accepted from this phone, optionally of one type and to some accounts. */
  sent<T extends MessageType>(transferId: string, type?: T, to?: Set<string>): Array<Seen<T>> {
    return this.messages('sent', transferId, type, to);
  }

  /** Well-formed protocol messages of a transfer this phone's devices received, optionally of one type and from some accounts. */
  received<T extends MessageType>(transferId: string, type?: T, from?: Set<string>): Array<Seen<T>> {
    return this.messages('received', transferId, type, from);
  }

  /**
   * Every attempt this phone made to send a well-formed message (accepted or not), in order,
   * from the trace: optionally of one type and one transfer. A message that does not decode
   * (`problem` in the trace) is not an attempt at any protocol message.
   */
  attempts(type?: MessageType, transferId?: string): TraceEvent[] {
    return this.sim.trace.find(
      'device.sent',
      (e) =>
        this.labels.has(String(e.device)) &&
        e.problem === undefined &&
        // A 409 or 410 (the recipient's devices changed) is not the app's: the Signal app API
        // sends again at once by itself, within the same attempt.
        e.httpStatus !== 409 &&
        e.httpStatus !== 410 &&
        (type === undefined || e.message === type) &&
        (transferId === undefined || e.transferId === transferId),
    );
  }

  /** Messages this phone's devices decrypted and handed to the app, from the trace (malformed ones too, with their `problem`). */
  receivedEvents(type?: string, transferId?: string): TraceEvent[] {
    return this.sim.trace.find(
      'device.received',
      (e) => this.labels.has(String(e.device)) && (type === undefined || e.message === type) && (transferId === undefined || e.transferId === transferId),
    );
  }

  /** The lookups this phone's devices made (`device.lookup`), in order. */
  lookups(): TraceEvent[] {
    return this.sim.trace.find('device.lookup', (e) => this.labels.has(String(e.device)));
  }

  private messages<T extends MessageType>(direction: 'sent' | 'received', transferId: string, type?: T, peers?: Set<string>): Array<Seen<T>> {
    const seen: Array<Seen<T>> = [];
    for (const device of this.phone.devices) {
      for (const p of device.plaintexts) {
        if (p.direction !== direction || (peers && !peers.has(p.peer))) continue;
        const decoded = decode(p.bytes);
        if (!decoded.ok || decoded.message.transferId !== transferId || (type && decoded.message.type !== type)) continue;
        seen.push({ message: decoded.message as MessageOf<T>, peer: p.peer, deviceId: device.deviceId });
      }
    }
    return seen;
  }
}
