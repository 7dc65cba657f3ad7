/**
 * The trace: every request, envelope, fault decision and app event, in order, stamped with
 * simulated time. Only deterministic facts go in (no key material, no ciphertext), so the same
 * seed and adapter give the same trace.
 *
 * The trace is evidence: only the harness writes it. What an app logs or reports is recorded
 * under a key of its own (`app.log`'s `detail`, `app.event`'s `event`), never spread into an
 * event, so it cannot change, add or hide a harness event.
 */
import type { Clock } from './clock.ts';

export interface TraceEvent {
  /** Position in the trace, from 1. */
  seq: number;
  /** Simulated time, ISO 8601. */
  at: string;
  /** What happened, dotted by layer: `http.request`, `server.queued`, `device.received`, `app.event`... */
  kind: string;
  [detail: string]: unknown;
}

/** Keys every trace event owns; a detail carrying one would rewrite the event's identity. */
export const RESERVED_TRACE_KEYS = ['seq', 'at', 'kind'] as const;

export class Trace {
  readonly events: TraceEvent[] = [];
  /** The last instant stamped, and its text: events come in bursts at one instant. */
  private stamped = { at: NaN, text: '' };

  constructor(private readonly clock: Clock) {}

  /** Appends an event. Throws when `detail` carries a reserved key (`seq`, `at`, `kind`). */
  record(kind: string, detail: Record<string, unknown> = {}): TraceEvent {
    const reserved = RESERVED_TRACE_KEYS.filter((key) => Object.hasOwn(detail, key));
    if (reserved.length) {
      throw new Error(`A ${kind} trace event cannot carry ${reserved.join(', ')} in its detail: those are the event's own`);
    }
    const event: TraceEvent = {
      seq: this.events.length + 1,
      at: this.stamp(this.clock.now()),
      kind,
      ...detail,
    };
    this.events.push(event);
    return event;
  }

  private stamp(now: number): string {
    if (now !== this.stamped.at) this.stamped = { at: now, text: new Date(now).toISOString() };
    return this.stamped.text;
  }

  /** Events of one kind, optionally narrowed by a predicate. */
  find(kind: string, where: (e: TraceEvent) => boolean = () => true): TraceEvent[] {
    return this.events.filter((e) => e.kind === kind && where(e));
  }

  toJSON(): TraceEvent[] {
    return this.events;
  }
}
