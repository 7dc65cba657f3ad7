/**
 * Fault decisions the server and network consult. Every fault that fires is written to the trace
 * with its simulated time, so a failing scenario shows what the network did to it.
 */
import type { Trace } from './trace.ts';

/** Which device a fault applies to. */
export interface DeviceTarget {
  aci: string;
  deviceId: number;
}

const key = (t: DeviceTarget) => `${t.aci}.${t.deviceId}`;

export class Faults {
  private lostAcks = new Map<string, number>();

  constructor(private readonly trace: Trace) {}

  /** The server will not receive the next `count` acknowledgements from this device. */
  loseAcks(target: DeviceTarget, count = 1): void {
    this.lostAcks.set(key(target), (this.lostAcks.get(key(target)) ?? 0) + count);
    this.trace.record('fault.planned', { fault: 'lose-ack', device: key(target), count });
  }

  /** Consumes one planned lost ack for the device, if any; says whether this ack is lost. */
  takeLostAck(target: DeviceTarget, serverGuid: string): boolean {
    const left = this.lostAcks.get(key(target)) ?? 0;
    if (left <= 0) return false;
    this.lostAcks.set(key(target), left - 1);
    this.trace.record('fault.ack-lost', { device: key(target), serverGuid });
    return true;
  }
}
