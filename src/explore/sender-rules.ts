/**
 * What a sender must make of Bob's messages, judged where the protocol monitor cannot: the
 * monitor takes every message Alice's device received from Bob's account as Bob's app's, while
 * exploration also has Bob's device write with his app bypassed (plan.ts, BOB_MESSAGES). These
 * rules hold whoever wrote, so they are checked on every plan (docs/protocol.md, "Sender"):
 * - no final package in a stateless share, whatever asks for one (S1; R-STATEFUL-1);
 * - a stateful share is `completed` only after its final package went out (S6; R-STATEFUL-1);
 * - a signing request sent again (a new message id) with the key the share is bound to, received
 *   while the share waits for its answer and before the expiration, gets the final package again
 *   (S4; R-IDEM-1): a receiver whose package was lost asks again, and only that answer ends its
 *   wait. Not judged after a reinstall: a package for an unconfirmed identity is rightly held;
 * - a final package held for Bob's new safety number is not sent when Alice confirms it at or
 *   after the expiration (R-EXPIRY-1: from then on the share is refused at whichever leg). The
 *   monitor's INV-BEFORE-EXPIRY judges a package by its first attempt, which here came before
 *   the expiration and was refused for the identity change.
 */
import type { AppEvent } from '../adapter/contract.ts';
import { decode, type KeySigningRequest } from '../protocol/messages.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { LivenessProblem } from './liveness.ts';
import type { Plan } from './plan.ts';

const FINAL = ['completed', 'failed', 'declined', 'cancelled'];

export function senderProblems(sim: Simulation, plan: Plan): LivenessProblem[] {
  const alice = sim.phone('Alice');
  const bob = sim.phone('Bob');
  const problems: LivenessProblem[] = [];
  const reinstalls = plan.disruptions.some((d) => d.kind === 'reinstall');
  for (const [i, { transferId, request }] of sim.shares.filter((s) => s.phone === alice).entries()) {
    const which = i === 0 ? "Alice's share" : `Alice's share number ${i + 1}`;
    /** Alice's app's attempts to send a final package (whether or not the server took them). */
    const attempts = sim.trace.find('device.sent', (e) => e.device === alice.device.label && !e.scripted && e.message === 'KeyImportRequest' && e.transferId === transferId);
    if (request.flow === 'stateless') {
      if (attempts.length) problems.push({ phone: alice.name, text: `${alice.name} sent a final package for ${which}, a stateless share (R-STATEFUL-1)` });
      continue;
    }
    const reports = alice.reports.filter((r): r is { seq: number; at: number; event: Extract<AppEvent, { type: 'transfer' }> } => r.event.type === 'transfer' && r.event.transferId === transferId && r.event.role === 'sender');
    const completed = reports.find((r) => r.event.state === 'completed');
    if (completed && !attempts.some((a) => a.seq < completed.seq)) {
      problems.push({ phone: alice.name, text: `${alice.name} reported ${which} completed before sending any final package (R-STATEFUL-1)` });
    }
    const confirmations = sim.trace.find('device.identity-confirmed', (e) => e.device === alice.device.label && e.peer === bob.device.aci && Date.parse(e.at) >= request.expiresAt);
    const released = attempts.find((a) => {
      const before = attempts.filter((b) => b.seq < a.seq && b.messageId === a.messageId).at(-1);
      return before && Date.parse(a.at) >= request.expiresAt && confirmations.some((c) => c.seq > before.seq && c.seq < a.seq);
    });
    if (released) {
      problems.push({ phone: alice.name, text: `${alice.name} sent the final package of ${which}, held for Bob's new safety number, when Alice confirmed it at ${released.at}, at or after the expiration ${new Date(request.expiresAt).toISOString()} (R-EXPIRY-1)` });
    }
    if (reinstalls) continue;
    const received = alice.devices.flatMap((d) => d.plaintexts).filter((p) => p.direction === 'received' && p.peer === bob.device.aci);
    const requests = received.flatMap((p) => {
      const d = decode(p.bytes);
      return d.ok && d.message.type === 'KeySigningRequest' && d.message.transferId === transferId ? [{ ...p, message: d.message as KeySigningRequest }] : [];
    });
    const [first] = sim.protocolMessages(alice, 'sent', transferId, 'KeyImportRequest');
    const firstAttempt = attempts[0];
    if (!first || !firstAttempt) continue;
    const ended = Math.min(...reports.filter((r) => FINAL.includes(r.event.state)).map((r) => r.seq), ...sim.trace.find('sim.cancel', (e) => e.transferId === transferId).map((e) => e.seq));
    const seen = new Set<string>();
    for (const r of requests) {
      const fresh = !seen.has(r.message.messageId);
      seen.add(r.message.messageId);
      if (!fresh || r.seq < firstAttempt.seq || r.seq > ended || r.at >= request.expiresAt || r.message.receiverPublicKey !== first.receiverPublicKey) continue;
      if (!attempts.some((a) => a.seq > r.seq)) {
        problems.push({ phone: alice.name, text: `${alice.name} never answered Bob's signing request sent again for ${which} (message ${r.message.messageId}, received ${new Date(r.at).toISOString()}, before the expiration) with its final package (R-IDEM-1)` });
        break;
      }
    }
  }
  return problems;
}
