/**
 * The network and server fault plan. Faults are planned from Gherkin or code, each for some
 * traffic (from an account, to an account), for the next N matching events or until a moment of
 * simulated time; every random choice (jitter, shuffles) comes from the scenario's seeded
 * stream; and every fault that fires is written to the trace with its simulated time, so a
 * failing scenario shows exactly what the network did to it, and a seed replays it.
 *
 * Where each kind acts:
 * - on a message as the server queues it: `delay`, `reorder`, `tamper` (one bit of the
 *   ciphertext of a Double Ratchet message flipped: an attacker on the path; a PreKey message,
 *   which sets up a session, is let through and the tamper waits for the next ratchet message,
 *   because a flip lands in parts of a PreKey message that decryption does not authenticate);
 * - on a message as the server pushes it to a device: `drop-at-delivery`, `duplicate`;
 * - on a device's acknowledgement: `lose-ack` (the server delivers it again on reconnect);
 * - on the HTTP request that sends a message (PUT /v1/messages): `http-error` (413/500/503),
 *   `rate-limit` (429 with Retry-After), `connection-error` (nothing reaches the server),
 *   `lose-response` (the server stored it, the sender sees a network failure).
 */
import type { Clock } from './clock.ts';
import type { Random } from './random.ts';
import type { Trace } from './trace.ts';

export type Fault =
  | { kind: 'delay'; ms: number; jitterMs?: number }
  | { kind: 'reorder'; count: number; order: 'reverse' | 'shuffle' }
  | { kind: 'drop-at-delivery' }
  | { kind: 'duplicate' }
  | { kind: 'tamper' }
  | { kind: 'lose-ack' }
  | { kind: 'http-error'; status: 413 | 500 | 503 }
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  | { kind: 'connection-error' }
  | { kind: 'lose-response' };

export type FaultKind = Fault['kind'];

/** Which traffic a fault applies to: messages (or sends) from an account, to an account or one of its devices. */
export interface FaultTarget {
  /** The sending account's ACI. */
  from?: string;
  /** The receiving account's ACI. */
  to?: string;
  /** Only this device of the receiving account (queue, delivery and ack faults). */
  toDevice?: number;
}

/** How long a fault lasts: the next `count` matching events, or until `until` (simulated ms). */
export interface FaultScope {
  count?: number;
  until?: number;
}

interface Rule {
  id: number;
  fault: Fault;
  target: FaultTarget;
  remaining?: number;
  until?: number;
}

/** What the server does with a message it queues. */
export interface QueueDecision {
  /** Simulated time from which it may be delivered. */
  deliverAt: number;
  /** Flip a bit of the ciphertext. */
  tamper?: boolean;
  /** Hold it in this reorder window until the window is full. */
  reorder?: { ruleId: number; count: number; order: 'reverse' | 'shuffle' };
}

/** What happens to one send request. */
export type RequestDecision =
  | { kind: 'respond'; status: number; headers?: Record<string, string>; message: string }
  | { kind: 'connection-error' }
  | { kind: 'lose-response' };

const DELIVERY_FAULTS: FaultKind[] = ['drop-at-delivery', 'duplicate'];
/** The words Signal-Server's answers carry with each status (413: its message-size limit, stricter than the protocol's). */
const HTTP_ERROR_MESSAGES = { 413: 'Request Entity Too Large', 500: 'Internal server error', 503: 'Service unavailable' } as const;

const REQUEST_FAULTS: FaultKind[] = ['http-error', 'rate-limit', 'connection-error', 'lose-response'];

export class Faults {
  private rules: Rule[] = [];
  private nextId = 1;

  constructor(
    private readonly trace: Trace,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** Plans a fault. Without a scope it applies once. */
  add(fault: Fault, target: FaultTarget = {}, scope: FaultScope = {}): void {
    // A reorder window spans `count` messages; other faults apply once unless scoped.
    const once = fault.kind === 'reorder' ? fault.count : 1;
    const rule: Rule = {
      id: this.nextId++,
      fault,
      target,
      remaining: scope.until === undefined ? (scope.count ?? once) : scope.count,
      until: scope.until,
    };
    this.rules.push(rule);
    const { kind, ...params } = fault; // `kind` would clash with the trace event's own
    this.trace.record('fault.planned', {
      rule: rule.id,
      fault: kind,
      ...params,
      ...target,
      ...(rule.remaining !== undefined ? { count: rule.remaining } : {}),
      ...(rule.until !== undefined ? { until: new Date(rule.until).toISOString() } : {}),
    });
  }

  /** Decides the fate of a message the server is queueing (delay, reorder window). */
  onQueued(from: string, to: string, toDevice: number, serverGuid: string, ratchetMessage = true): QueueDecision {
    const now = this.clock.now();
    let deliverAt = now;
    for (const rule of this.take(['delay'], from, to, false, toDevice)) {
      const f = rule.fault as Extract<Fault, { kind: 'delay' }>;
      const jitter = f.jitterMs ? this.random.int(0, f.jitterMs) : 0;
      deliverAt = Math.max(deliverAt, now + f.ms + jitter);
      this.fired(rule, { serverGuid, delayMs: f.ms + jitter });
    }
    const [tamper] = ratchetMessage ? this.take(['tamper'], from, to, true, toDevice) : [];
    if (tamper) this.fired(tamper, { serverGuid });
    // Reorder windows are filled one after another: a message joins the first open one only.
    const [rule] = this.take(['reorder'], from, to, true, toDevice);
    if (!rule) return { deliverAt, ...(tamper ? { tamper: true } : {}) };
    const f = rule.fault as Extract<Fault, { kind: 'reorder' }>;
    this.fired(rule, { serverGuid, window: f.count });
    return { deliverAt, ...(tamper ? { tamper: true } : {}), reorder: { ruleId: rule.id, count: f.count, order: f.order } };
  }

  /** The order in which a full reorder window is released (indexes into the window). */
  releaseOrder(ruleId: number, size: number, order: 'reverse' | 'shuffle'): number[] {
    const indexes = Array.from({ length: size }, (_, i) => i);
    if (order === 'reverse') indexes.reverse();
    else {
      for (let i = size - 1; i > 0; i--) {
        const j = this.random.int(0, i);
        [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
      }
    }
    this.trace.record('fault.reorder-released', { rule: ruleId, order: indexes });
    return indexes;
  }

  /** Decides whether a push to a device is lost or made twice. */
  onDelivery(from: string, to: string, toDevice: number, serverGuid: string): 'drop' | 'duplicate' | undefined {
    const [rule] = this.take(DELIVERY_FAULTS, from, to, true, toDevice);
    if (!rule) return undefined;
    this.fired(rule, { serverGuid });
    return rule.fault.kind === 'drop-at-delivery' ? 'drop' : 'duplicate';
  }

  /** Whether the server never receives this acknowledgement. */
  takeLostAck(to: string, toDevice: number, serverGuid: string): boolean {
    const [rule] = this.take(['lose-ack'], undefined, to, true, toDevice);
    if (!rule) return false;
    this.fired(rule, { serverGuid });
    return true;
  }

  /** Decides the fate of a send request (PUT /v1/messages) from `from` to `to`. */
  onSend(from: string, to: string): RequestDecision | undefined {
    const [rule] = this.take(REQUEST_FAULTS, from, to, true);
    if (!rule) return undefined;
    const f = rule.fault;
    // Who sent it: a device that meets a network error learns from this whether the server stored its message.
    this.fired(rule, { from, to });
    switch (f.kind) {
      case 'http-error':
        return { kind: 'respond', status: f.status, message: HTTP_ERROR_MESSAGES[f.status] };
      case 'rate-limit':
        return { kind: 'respond', status: 429, headers: { 'retry-after': String(f.retryAfterSeconds) }, message: 'Rate limit exceeded' };
      case 'connection-error':
        return { kind: 'connection-error' };
      default:
        return { kind: 'lose-response' };
    }
  }

  /** Matching live rules of some kinds, each consuming one of its count (only the first, if `first`). */
  private take(kinds: FaultKind[], from: string | undefined, to: string, first = false, toDevice?: number): Rule[] {
    if (this.rules.length === 0) return []; // no faults planned: every message asks, most scenarios have none
    const now = this.clock.now();
    const matched: Rule[] = [];
    let spent = false;
    for (const rule of this.rules) {
      // Spent for good (simulated time never goes back, a count never grows): dropped below.
      if (isSpent(rule, now)) {
        spent = true;
        continue;
      }
      if (!kinds.includes(rule.fault.kind)) continue;
      if (rule.target.to && rule.target.to !== to) continue;
      if (rule.target.from && rule.target.from !== from) continue;
      if (rule.target.toDevice !== undefined && rule.target.toDevice !== toDevice) continue;
      if (rule.remaining !== undefined) rule.remaining--;
      matched.push(rule);
      if (first) break;
    }
    // A fleet's plan can hold many one-shot rules: the rules every later message is checked against stay the live ones.
    if (spent) this.rules = this.rules.filter((rule) => !isSpent(rule, now));
    return matched;
  }

  private fired(rule: Rule, detail: Record<string, unknown>): void {
    this.trace.record(`fault.${rule.fault.kind}`, { rule: rule.id, ...detail });
  }
}

/** A rule past its end or with its count used up: it can never match again. */
function isSpent(rule: Rule, now: number): boolean {
  return (rule.until !== undefined && now >= rule.until) || (rule.remaining !== undefined && rule.remaining <= 0);
}
