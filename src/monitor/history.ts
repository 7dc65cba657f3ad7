/**
 * What the protocol monitor sees of a scenario: a plain history built from the harness's own
 * records (the devices' plaintexts and trace events, the server's trace, the app reports the
 * harness recorded), never from anything an app could edit. Invariants take a History, so a
 * unit test can hand-make one that breaks them.
 */
import type { AppEvent, ShareRequest } from '../adapter/contract.ts';
import { decode, type ProtocolMessage } from '../protocol/messages.ts';
import type { Simulation } from '../sim/simulation.ts';

/** One phone (or tablet) and the app on it. */
export interface PhoneView {
  /** "Bob's phone". */
  name: string;
  /** Every account (ACI) its devices have had, oldest first. */
  accounts: string[];
  /** Its devices' trace labels (`aci.deviceId`), oldest first. */
  devices: string[];
  /** Which app runs there, for messages: "the app under test", "the reference app"... */
  app: string;
  /** Whether that app is the one under test (a broken invariant by any other is the harness's fault). */
  underTest: boolean;
}

/** A protocol message a device got the server to accept, or decrypted and handed to its app. */
export interface MessageEvent {
  seq: number;
  at: number;
  phone: string;
  device: string;
  direction: 'sent' | 'received';
  /** The other account. */
  peer: string;
  /** Undefined when the bytes are not a valid protocol message. */
  message?: ProtocolMessage;
  /** The plaintext as text, to look for secrets in. */
  text: string;
  /** Sent by the harness playing a scripted peer, not by an app. */
  scripted: boolean;
}

/** One attempt at sending (accepted or not), as the device traced it. */
export interface Attempt {
  seq: number;
  at: number;
  phone: string;
  device: string;
  to: string;
  type?: string;
  messageId?: string;
  transferId?: string;
  httpStatus: number | 'network-error';
  /** Seconds, from a 429. */
  retryAfter?: number;
  scripted: boolean;
}

export interface ReportEvent {
  seq: number;
  at: number;
  phone: string;
  event: AppEvent;
}

export interface ShareStart {
  seq: number;
  phone: string;
  transferId: string;
  request: ShareRequest;
}

export interface History {
  phones: PhoneView[];
  messages: MessageEvent[];
  attempts: Attempt[];
  reports: ReportEvent[];
  shares: ShareStart[];
  /** A user cancelled a share (`sim.cancel`). */
  cancels: Array<{ seq: number; at: number; phone: string; transferId: string }>;
  /** A device met a peer's new identity key, or its user confirmed it. */
  identity: Array<{ seq: number; device: string; peer: string; kind: 'changed' | 'confirmed' }>;
  /** What apps logged, as text. */
  logs: Array<{ seq: number; phone: string; text: string }>;
  /** Simulated time when the history was taken (the scenario's end). */
  endedAt: number;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The history of a simulation so far. */
export function historyOf(sim: Simulation): History {
  const phones = sim.allPhones();
  const epochOf = (at: string) => Date.parse(at);
  const byOwnerLabel = new Map<string, string>();
  const views: PhoneView[] = phones.map((p) => {
    for (const d of p.devices) byOwnerLabel.set(d.label, p.name);
    return { name: p.name, accounts: p.devices.map((d) => d.aci), devices: p.devices.map((d) => d.label), app: p.appLabel, underTest: p.appLabel.includes('app under test') };
  });
  const messages: MessageEvent[] = phones.flatMap((p) =>
    p.devices.flatMap((d) =>
      d.plaintexts.map((pt) => {
        const decoded = decode(pt.bytes);
        return {
          seq: pt.seq,
          at: pt.at,
          phone: p.name,
          device: d.label,
          direction: pt.direction,
          peer: pt.peer,
          ...(decoded.ok ? { message: decoded.message } : {}),
          text: text(pt.bytes),
          scripted: pt.scripted === true,
        };
      }),
    ),
  );
  messages.sort((a, b) => a.seq - b.seq);
  const attempts: Attempt[] = sim.trace.find('device.sent').map((e) => ({
    seq: e.seq,
    at: epochOf(e.at),
    phone: byOwnerLabel.get(String(e.device)) ?? String(e.device),
    device: String(e.device),
    to: String(e.to),
    ...(typeof e.message === 'string' ? { type: e.message } : {}),
    ...(typeof e.messageId === 'string' ? { messageId: e.messageId } : {}),
    ...(typeof e.transferId === 'string' ? { transferId: e.transferId } : {}),
    httpStatus: e.httpStatus as number | 'network-error',
    ...(typeof e.retryAfter === 'number' ? { retryAfter: e.retryAfter } : {}),
    scripted: e.scripted === true,
  }));
  const ownerPhone = (owner: unknown) => phones.find((p) => p.owner === owner && p.kind === 'phone')?.name ?? String(owner);
  return {
    phones: views,
    messages,
    attempts,
    reports: phones.flatMap((p) => p.reports.map((r) => ({ ...r, phone: p.name }))).sort((a, b) => a.seq - b.seq),
    shares: sim.shares.map((s) => ({ seq: s.seq, phone: s.phone.name, transferId: s.transferId, request: s.request })),
    cancels: sim.trace.find('sim.cancel').map((e) => ({ seq: e.seq, at: epochOf(e.at), phone: byOwnerLabel.get(String(e.device)) ?? ownerPhone(e.phone), transferId: String(e.transferId) })),
    identity: sim.trace
      .find('device.identity-changed')
      .concat(sim.trace.find('device.identity-confirmed'))
      .map((e) => ({ seq: e.seq, device: String(e.device), peer: String(e.peer), kind: e.kind === 'device.identity-changed' ? ('changed' as const) : ('confirmed' as const) }))
      .sort((a, b) => a.seq - b.seq),
    endedAt: sim.clock.now(),
    logs: sim.trace.find('app.log').map((e) => ({ seq: e.seq, phone: ownerPhone(e.phone), text: JSON.stringify({ message: e.message, detail: e.detail }) })),
  };
}
