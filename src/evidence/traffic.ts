/**
 * Evidence rules about traffic alone: what the server holds, and the send attempts the retry
 * steps count. Read from the devices' and the server's trace events, never from app reports.
 */
import assert from 'node:assert/strict';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { TraceEvent } from '../sim/trace.ts';
import { PhoneRecords, accountOf, accountsOf, type MessageType, type ShareFacts } from './records.ts';

/**
 * "The server holds Alice's invitation for Bob's phone": the server accepted the sender's
 * invitation for the share, addressed to the receiver's account, and an envelope from the
 * sender's account still waits, undelivered, in the queue of the receiver's phone. (The server
 * sees only ciphertext; the device's record says what was accepted, the server's what waits.)
 */
export function serverHoldsInvitation(sim: Simulation, share: ShareFacts, receiver: Phone): void {
  const accepted = new PhoneRecords(sim, share.sender).sent(share.transferId, 'ShareInvitation', accountsOf(receiver));
  assert.ok(accepted.length, `the server never accepted an invitation from ${share.sender.name} for the ${share.kind} addressed to ${receiver.owner}'s account`);
  const queue = `${receiver.device.aci}.${receiver.device.deviceId}`;
  const senders = accountsOf(share.sender);
  const left = new Set(sim.trace.find('server.delivered', (e) => e.to === queue).map((e) => e.serverGuid));
  const waiting = sim.trace.find('server.queued', (e) => e.to === queue && senders.has(accountOf(e.from)) && !left.has(e.serverGuid));
  assert.ok(
    waiting.length && sim.server.queued(receiver.device.aci, receiver.device.deviceId) > 0,
    `the server took ${share.sender.owner}'s invitation for the ${share.kind}, but holds nothing from ${share.sender.owner} for ${receiver.name} (it was delivered, or never queued for it)`,
  );
}

/**
 * A phone's attempts (accepted or not) at sending one type of message, in order, from the
 * trace its devices wrote: well-formed messages only, of one transfer when given. What the
 * "tried to send", "waited after the 429" and "asked again" steps count.
 */
export function sendAttempts(sim: Simulation, phone: Phone, type?: MessageType, transferId?: string): TraceEvent[] {
  return new PhoneRecords(sim, phone).attempts(type, transferId);
}
