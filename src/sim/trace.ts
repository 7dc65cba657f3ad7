/**
 * The trace: every request, envelope, fault decision and app event, in order, stamped with
 * simulated time. Only deterministic facts go in (no key material, no ciphertext), so the same
 * seed and adapter give the same trace.
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

export class Trace {
  readonly events: TraceEvent[] = [];

  constructor(private readonly clock: Clock) {}

  record(kind: string, detail: Record<string, unknown> = {}): TraceEvent {
    const event: TraceEvent = {
      seq: this.events.length + 1,
      at: new Date(this.clock.now()).toISOString(),
      kind,
      ...detail,
    };
    this.events.push(event);
    return event;
  }

  /** Events of one kind, optionally narrowed by a predicate. */
  find(kind: string, where: (e: TraceEvent) => boolean = () => true): TraceEvent[] {
    return this.events.filter((e) => e.kind === kind && where(e));
  }

  toJSON(): TraceEvent[] {
    return this.events;
  }
}
