/**
 * A scenario's exchange, read from its trace for the sequence diagram (sequence-diagram.ts): who
 * the lifelines are (each phone as the story names it, and the Signal server), and one row per
 * thing a reader of the story wants to see, in trace order: each protocol message as it is sent
 * to the server and as the server delivers it (type, short transfer id, simulated time), the
 * faults where they fired, the story's acts (share, cancel) and what the apps reported.
 *
 * The trace knows a message's type only at the devices (the server sees ciphertext): a send's
 * `server.queued` events come just before its `device.sent`, so they are paired by sending device
 * and recipient account, and each envelope's server guid then names the message it carries.
 * Pure and linear in the trace: it runs for every scenario.
 */
import type { TraceEvent } from '../sim/trace.ts';

/** How a row is drawn: plain traffic, a fault or refusal, a failure, the story's act, an app's report, or background. */
export type Tone = 'normal' | 'fault' | 'failure' | 'story' | 'app' | 'muted';

/** A message between a lifeline and the server. */
export interface Arrow {
  type: 'arrow';
  /** Simulated time, ms since the epoch. */
  at: number;
  /** Lifeline indexes (the server is one of them). */
  from: number;
  to: number;
  /** The SCT message type, or what else went by ("lookup"). */
  label: string;
  /** The transfer's id, short (its first 8 characters); absent when the message names none. */
  transfer?: string;
  /** What happened to it on the way (faults that fired, the receiving device refusing it), in order. */
  marks: string[];
  tone: Tone;
  /** It never reached the other end (a failed request, a dropped delivery): drawn with a cross. */
  lost: boolean;
}

/** Something that happened at one lifeline, or across the whole diagram (`lane` undefined). */
export interface Note {
  type: 'note';
  at: number;
  lane?: number;
  text: string;
  tone: Tone;
}

export type Row = Arrow | Note;

export interface Exchange {
  /** Lifeline names, left to right: the first phone, the server, the other phones. */
  lifelines: string[];
  /** Index of the server's lifeline. */
  server: number;
  /** Simulated time of the first event (ms since the epoch); rows show time relative to it. */
  start: number;
  rows: Row[];
}

export interface ExchangeInput {
  events: readonly TraceEvent[];
  /** Signal device label (`<aci>.<deviceId>`) to the name the story gives the device ("Bob's tablet"). */
  devices?: ReadonlyMap<string, string>;
  /** An `app.event`'s seq to the device whose app reported it (the event itself names only the owner). */
  reporters?: ReadonlyMap<number, string>;
}

export const SERVER = 'Signal server';

/** The first 8 characters of an id: enough to tell a scenario's transfers apart. */
export const shortId = (id: unknown): string | undefined => (typeof id === 'string' && id ? id.slice(0, 8) : undefined);

/** A duration the way the diagram prints it, every unit that is not zero: `250 ms`, `12 s`, `2 h 2 s`, `1 d 2 h`. */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000], ['ms', 1]];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n) parts.push(`${n} ${unit}`);
  }
  return parts.join(' ') || '0 s';
}

const SETUP = new Set(['server.account-created', 'server.device-added', 'server.keys-set', 'sim.phone-added']);
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const aciOf = (label: string): string => label.replace(/\.\d+$/, '');

export function exchangeOf({ events, devices = new Map(), reporters = new Map() }: ExchangeInput): Exchange {
  const owners = new Map<string, string>(); // aci -> owner
  for (const e of events) if (e.kind === 'sim.phone-added') owners.set(text(e.aci), text(e.owner));
  const nameOf = (label: string): string => {
    const named = devices.get(label);
    if (named) return named;
    const owner = owners.get(aciOf(label));
    const id = /\.(\d+)$/.exec(label)?.[1];
    if (owner) return id === '1' ? `${owner}'s phone` : `${owner}'s device ${id ?? '?'}`;
    return `device ${label.slice(0, 8)}`;
  };
  const personOf = (aci: string): string => owners.get(aci) ?? `account ${aci.slice(0, 8)}`;

  // Lifelines by first appearance of each name; the server after the first (senders sit left of it).
  const names: string[] = [];
  const see = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const e of events) {
    if (e.kind === 'sim.phone-added') see(nameOf(`${text(e.aci)}.1`));
    else if (e.kind === 'server.device-added') see(nameOf(`${text(e.aci)}.${text(e.deviceId)}`));
    else if (e.kind.startsWith('device.')) see(nameOf(text(e.device)));
  }
  const lifelines = names.length ? [names[0]!, SERVER, ...names.slice(1)] : [SERVER];
  const server = names.length ? 1 : 0;
  const lane = (name: string): number => {
    let index = lifelines.indexOf(name);
    if (index < 0) index = lifelines.push(name) - 1;
    return index;
  };
  const laneOf = (label: string) => lane(nameOf(label));
  const phoneLane = (owner: string) => lane(`${owner}'s phone`);

  const rows: Row[] = [];
  /** A note; an app's reports in a row, on one lane at one instant, become one ("received · key-requested"). */
  const note = (at: number, laneIndex: number | undefined, body: string, tone: Tone) => {
    const last = rows.at(-1);
    if (tone === 'app' && last?.type === 'note' && last.tone === tone && last.lane === laneIndex && last.at === at) last.text += ` · ${body}`;
    else rows.push({ type: 'note', at, lane: laneIndex, text: body, tone });
  };

  // Envelopes the server queued whose send is not recorded yet, by sending device.
  const pending = new Map<string, string[]>();
  /** The recipient account of each queued envelope. */
  const queuedTo = new Map<string, string>();
  /** What each envelope carries, once its send is recorded. */
  const carried = new Map<string, { label: string; transfer?: string }>();
  /** Faults that fired on an envelope before its send was recorded. */
  const early = new Map<string, string[]>();
  /** A request fault that fired, waiting for the send attempt it answered (by sending account). */
  const requestFault = new Map<string, string>();
  /** The latest delivery row of each envelope, to mark what became of it. */
  const delivery = new Map<string, Arrow>();
  /** The send row of each envelope, for faults recorded after it. */
  const sendRow = new Map<string, Arrow>();
  const connected = new Set<string>();
  const aftermath = events.find((e) => e.kind === 'sim.aftermath');
  const end = aftermath ? Date.parse(text(aftermath.until)) : Number.POSITIVE_INFINITY;
  /** The phones go quiet when the scenario ends (its last events): not part of the story. */
  const quietFrom = events.findLastIndex((e) => e.kind !== 'server.disconnected') + 1;
  /** Server notes that fire while a send is in flight (a reorder window released by it): drawn after that send. */
  let deferred: Array<() => void> = [];
  const inFlight = () => [...pending.values()].some((guids) => guids.length > 0);

  const markEnvelope = (guid: string, mark: string) => {
    const row = delivery.get(guid) ?? sendRow.get(guid);
    if (row) {
      row.marks.push(mark);
      row.tone = row.tone === 'normal' ? 'fault' : row.tone;
    } else early.set(guid, [...(early.get(guid) ?? []), mark]);
  };

  for (const [index, e] of events.entries()) {
    const at = Date.parse(e.at);
    if (SETUP.has(e.kind)) continue;
    switch (e.kind) {
      case 'server.queued': {
        const from = text(e.from);
        pending.set(from, [...(pending.get(from) ?? []), text(e.serverGuid)]);
        queuedTo.set(text(e.serverGuid), aciOf(text(e.to)));
        break;
      }
      case 'device.sent': {
        const from = text(e.device);
        const to = text(e.to);
        const waiting = pending.get(from) ?? [];
        // This send's envelopes: the ones queued for the recipient's devices since its last send.
        const mine = waiting.filter((guid) => queuedTo.get(guid) === to);
        pending.set(from, waiting.filter((guid) => !mine.includes(guid)));
        const label = text(e.message) || 'message';
        const transfer = shortId(e.transferId);
        for (const guid of mine) carried.set(guid, { label, transfer });
        const status = e.httpStatus;
        const fault = requestFault.get(aciOf(from));
        requestFault.delete(aciOf(from));
        const marks = [...(fault ? [fault] : []), ...mine.flatMap((guid) => early.get(guid) ?? [])];
        const ok = status === 200;
        if (!ok) marks.push(status === 'network-error' ? (mine.length ? 'stored, but the answer was lost' : 'no answer (network error)') : `HTTP ${text(status)}${e.retryAfter !== undefined ? `, Retry-After ${text(e.retryAfter)} s` : ''}`);
        const row: Arrow = {
          type: 'arrow',
          at,
          from: laneOf(from),
          to: server,
          label: e.scripted ? `${label} (scripted)` : label,
          ...(transfer ? { transfer } : {}),
          marks,
          tone: e.scripted ? 'story' : marks.length ? 'fault' : 'normal',
          // A 409/410 is the server asking for another device list, not a lost message.
          lost: !ok && !mine.length && status !== 409 && status !== 410,
        };
        if (status === 409 || status === 410) row.tone = 'muted';
        rows.push(row);
        for (const guid of mine) {
          sendRow.set(guid, row);
          early.delete(guid);
        }
        if (!inFlight()) {
          for (const draw of deferred) draw();
          deferred = [];
        }
        break;
      }
      case 'server.delivered': {
        const guid = text(e.serverGuid);
        const what = carried.get(guid);
        const row: Arrow = {
          type: 'arrow',
          at,
          from: server,
          to: laneOf(text(e.to)),
          label: what?.label ?? 'envelope',
          ...(what?.transfer ? { transfer: what.transfer } : {}),
          marks: e.duplicate ? ['delivered twice (the copy)'] : [],
          tone: e.duplicate ? 'fault' : 'normal',
          lost: false,
        };
        rows.push(row);
        delivery.set(guid, row);
        break;
      }
      case 'fault.drop-at-delivery': {
        const row = delivery.get(text(e.serverGuid));
        markEnvelope(text(e.serverGuid), 'dropped on delivery');
        if (row) row.lost = true;
        break;
      }
      case 'fault.duplicate':
        markEnvelope(text(e.serverGuid), 'duplicated');
        break;
      case 'fault.delay':
        markEnvelope(text(e.serverGuid), `delayed ${formatDuration(Number(e.delayMs))}`);
        break;
      case 'fault.tamper':
        markEnvelope(text(e.serverGuid), 'tampered (a bit flipped)');
        break;
      case 'fault.reorder':
        markEnvelope(text(e.serverGuid), `held to reorder (window of ${text(e.window)})`);
        break;
      case 'fault.reorder-released': {
        const draw = () => note(at, server, `reorder window released (order ${Array.isArray(e.order) ? e.order.join(', ') : '?'})`, 'fault');
        if (inFlight()) deferred.push(draw);
        else draw();
        break;
      }
      case 'fault.lose-ack':
        markEnvelope(text(e.serverGuid), 'acknowledgement lost');
        break;
      case 'fault.http-error':
      case 'fault.rate-limit':
      case 'fault.connection-error':
      case 'fault.lose-response':
        requestFault.set(text(e.from), `${e.kind.slice('fault.'.length)} injected`);
        break;
      case 'fault.offline':
        note(at, laneOf(text(e.device)), `offline for ${formatDuration(Number(e.forMs))}`, 'fault');
        break;
      case 'fault.planned':
        break;
      case 'device.received': {
        const guid = text(e.serverGuid);
        const row = delivery.get(guid);
        // The device read what the sender meant to send: name it if the send was not seen (a copy queued before this trace, say).
        if (row && row.label === 'envelope') {
          row.label = text(e.message) || 'message';
          const transfer = shortId(e.transferId);
          if (transfer) row.transfer = transfer;
        }
        break;
      }
      case 'device.decrypt-failed': {
        const row = delivery.get(text(e.serverGuid));
        if (row) {
          row.marks.push('refused: does not decrypt');
          row.tone = 'fault';
        }
        break;
      }
      case 'device.duplicate-dropped':
        markEnvelope(text(e.serverGuid), 'dropped by Signal as a duplicate');
        break;
      case 'device.no-handler':
        markEnvelope(text(e.serverGuid), 'no credential app to take it');
        break;
      case 'device.lookup':
        if (e.outcome !== 'registered') {
          rows.push({ type: 'arrow', at, from: laneOf(text(e.device)), to: server, label: `lookup ${text(e.recipient)}: ${text(e.outcome)}`, marks: [], tone: 'muted', lost: false });
        }
        break;
      case 'device.identity-changed':
        note(at, laneOf(text(e.device)), `sees a new identity key for ${personOf(text(e.peer))}`, 'story');
        break;
      case 'device.identity-confirmed':
        note(at, laneOf(text(e.device)), `new identity of ${personOf(text(e.peer))} confirmed`, 'story');
        break;
      case 'server.connected': {
        const device = text(e.device);
        if (connected.has(device)) note(at, laneOf(device), `back online${Number(e.queued) ? ` (${text(e.queued)} waiting)` : ''}`, 'muted');
        connected.add(device);
        break;
      }
      case 'server.disconnected':
        if (index < quietFrom) note(at, laneOf(text(e.device)), 'offline', 'muted');
        break;
      case 'server.account-reregistered':
        note(at, server, `${personOf(text(e.aci))} registered Signal again`, 'story');
        break;
      case 'server.account-unregistered':
        note(at, server, `${personOf(text(e.aci))}'s account deleted`, 'story');
        break;
      case 'server.device-removed':
        note(at, server, `${personOf(text(e.aci))}'s device ${text(e.deviceId)} unlinked`, 'story');
        break;
      case 'server.device-reregistered':
        note(at, server, `${personOf(text(e.aci))}'s device ${text(e.deviceId)} registered again`, 'story');
        break;
      case 'sim.share':
        note(at, phoneLane(text(e.phone)), `share (${text(e.flow)}, ${text(e.format)})`, 'story');
        break;
      case 'sim.cancel':
        note(at, laneOf(text(e.device)), `cancel ${shortId(e.transferId) ?? ''}`.trim(), 'story');
        break;
      case 'sim.aftermath':
        note(at, undefined, `the story ends; simulated time runs on to +${formatDuration(end - Date.parse(events[0]!.at))} (what apps do late is still checked)`, 'muted');
        break;
      case 'sim.failure':
        note(at, undefined, `failure: ${text(e.message)}`, 'failure');
        break;
      case 'sim.harness-error':
        note(at, undefined, `harness error: ${text(e.message)}`, 'failure');
        break;
      case 'app.event': {
        const event = (e.event ?? {}) as Record<string, unknown>;
        const reporter = reporters.get(e.seq);
        const where = reporter ? lane(reporter) : phoneLane(text(e.phone));
        const id = shortId(event.transferId);
        const reason = event.reason && event.reason !== event.state ? ` (${text(event.reason)})` : '';
        if (event.type === 'transfer') note(at, where, `${text(event.state)}${reason}${id ? ` ${id}` : ''}`, event.state === 'failed' ? 'fault' : 'app');
        else if (event.type === 'violation') note(at, where, `reports ${text(event.requirement)} broken: ${text(event.problem)}`, 'failure');
        // `provisioned` comes with the transfer state of the same name: the state says it.
        break;
      }
      default:
        break;
    }
  }
  for (const draw of deferred) draw();
  return { lifelines, server, start: events.length ? Date.parse(events[0]!.at) : 0, rows };
}
