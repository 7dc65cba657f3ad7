/**
 * Liveness: every share ends, and ends as the plan explains. The monitor's invariants say nothing
 * wrong was done; these say the right thing was done in the end.
 *
 * Why the judgement is sound for any conforming pair: every fault and disruption ends when the
 * plan stops disturbing (`disturbedUntil`: the fault window, or a phone offline longer), when
 * every phone is online and the server delivers all it kept. From then on a message in flight
 * needs at most one more attempt (a wait of at most 5 minutes, or a Retry-After of at most 2
 * minutes) and every answer is immediate, so within SETTLE_MS everything a conforming pair still
 * had to do is done. A share may then end otherwise than `completed` only for a reason the plan
 * gives:
 * - `cancelled`: the plan cancels it (its first share);
 * - `failed` / `send-failed`: the plan fails 3 or more sends from Alice to Bob (the protocol asks
 *   at least 3 attempts: 3 failures may exhaust a budget);
 * - `failed` / `expired`: the share expires before the disturbance ends plus SETTLE_MS and the
 *   plan disturbs the traffic, or Bob reinstalled Signal, or sends may have been given up;
 * - not final at the sender: the plan fails 3 or more sends from Bob to Alice (a receiver may
 *   give up on its answer quietly, docs/protocol.md "Retries"), Bob reinstalled (what the
 *   server kept for his old device is gone), or a message was tampered with (lost for good).
 * A sender's unexplained end that Bob's device answered (`failed` with that reason) is charged to
 * Bob's app. Every device of Bob's that got the invitation ends its transfer in a final state (a
 * receiver's expiration timer guarantees it): `provisioned`, `failed` with an explained reason
 * (`taken`, or `expired` if the traffic was disturbed, when Bob has two devices in the stateful
 * flow), or `cancelled` if the plan cancels. Crafted transfers (adversary.ts): a malformed
 * invitation is answered `malformed` and provisions nothing, unknown fields are ignored (it
 * provisions), a wrongly signed package provisions nothing. Bob deleting his account explains a
 * share that never ends or fails `not-on-signal` or `expired`, and his devices' `expired`; Bob's
 * device writing with his app bypassed explains `key-mismatch` (a signing request of its own
 * took the share) and `expired` at his devices (his app was not answered).
 */
import type { AppEvent, TransferState } from '../adapter/contract.ts';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { CraftedTransfer } from './adversary.ts';
import { HOUR, disturbedUntil, lostForGood, sendFailures, type Plan } from './plan.ts';

/** After the fault window, long enough for a conforming pair to finish what was left. */
export const SETTLE_MS = 3 * HOUR;

const FINAL: TransferState[] = ['completed', 'provisioned', 'failed', 'declined', 'cancelled'];

export interface LivenessProblem {
  /** The phone whose app should have done better. */
  phone: string;
  text: string;
}

type TransferReport = Extract<AppEvent, { type: 'transfer' }>;

function lastState(phone: Phone, transferId: string, role: 'sender' | 'receiver'): TransferReport | undefined {
  return phone.events.filter((e): e is TransferReport => e.type === 'transfer' && e.transferId === transferId && e.role === role).at(-1);
}

const stateWords = (r: TransferReport | undefined) => (r ? `${r.state}${r.reason ? ` / ${r.reason}` : ''}` : 'nothing');

export function livenessProblems(sim: Simulation, plan: Plan, crafted: CraftedTransfer[] = []): LivenessProblem[] {
  const problems: LivenessProblem[] = [];
  const cancels = plan.disruptions.some((d) => d.kind === 'cancel');
  // A reinstall loses what the server kept for the old device (a phone's stateless invitation
  // above all): the share may then never end at the sender, or end expired.
  const reinstalls = plan.disruptions.some((d) => d.kind === 'reinstall');
  const disturbed = plan.faults.length > 0 || plan.disruptions.some((d) => d.kind === 'offline' || d.kind === 'reinstall');
  const mayExpire = reinstalls || (disturbed && plan.expiresInMs <= disturbedUntil(plan) + SETTLE_MS);
  const senderMayGiveUp = sendFailures(plan, 'to Bob') >= 3;
  // A message lost for good either way (tampered with) may leave the sender waiting: an invitation
  // is never sent again, an answer neither; a lost final package is asked for again (R17).
  // Bob deleted his account: sends to him fail for good (`not-on-signal`), what the server kept
  // for him is gone, his answers cannot be sent, and his device's transfer can only expire.
  const deleted = plan.disruptions.some((d) => d.kind === 'account-deleted');
  const answersMayBeLost = reinstalls || deleted || sendFailures(plan, 'to Alice') >= 3;
  // Bob's device, his app bypassed, wrote to Alice (plan.ts, BOB_MESSAGES): a signing request of
  // its own may take a stateful share from his app (which then rejects the package signed over
  // another key: `key-mismatch`); an early "provisioned" may end Alice's share before his app's
  // signing request is answered (his transfer then expires).
  const fromBob = (message: string) => plan.disruptions.some((d) => d.kind === 'from-bob' && d.message === message);
  const forgedRequest = plan.flow === 'stateful' && fromBob('a signing request for a key of its own');
  const forgedAnswer = fromBob('an answer "provisioned"');
  // Alice's share ends as Bob's devices answer: the same reasons (an answer `expired` included).
  const extraAtAlice = [...(forgedRequest ? ['key-mismatch'] : []), ...(forgedRequest || forgedAnswer || deleted ? ['expired'] : []), ...(deleted ? ['not-on-signal'] : [])];
  // A message lost for good (tampered with): an answer to Alice is never sent again, nor is an
  // invitation once a session exists (the first of a plan with one share travels as a PreKey
  // message, which a tamper spares); a lost signing request or final package is recovered by the
  // receiver's first re-request (R17: within 2 hours).
  const sessionBeforeInvitation = plan.disruptions.some((d) => d.kind === 'another-share' || d.kind === 'crafted');
  const mayStall = (share: number) => answersMayBeLost || lostForGood(plan, 'to Alice') || ((share > 0 || sessionBeforeInvitation) && lostForGood(plan, 'to Bob'));
  const explained = (r: TransferReport, cancelled: boolean, extra: string[] = []): boolean => {
    if (r.state === 'completed' || r.state === 'provisioned') return true;
    if (r.state === 'cancelled') return cancelled;
    if (r.state !== 'failed') return false; // `declined`: nothing in a plan makes an app decline
    if (extra.includes(r.reason ?? '')) return true;
    if (r.reason === 'cancelled') return cancelled;
    if (r.reason === 'expired') return mayExpire || answersMayBeLost || senderMayGiveUp;
    if (r.reason === 'send-failed') return senderMayGiveUp;
    return false;
  };
  const horizon = 'when the share had long expired and the network had been good for hours';

  const alice = sim.phone('Alice');
  const bobs = sim.devicesOf('Bob');
  // The plan cancels Alice's first share only. Her share with Carol (never confirmed) is the monitor's alone.
  const toBob = sim.shares.filter((s) => s.phone === alice && s.request.recipient === bobs[0]!.device.number);
  for (const [i, { transferId }] of toBob.entries()) {
    const cancelled = cancels && i === 0;
    const which = i === 0 ? "Alice's share" : `Alice's share number ${i + 1}`;
    const sent = lastState(alice, transferId, 'sender');
    if (!sent || !FINAL.includes(sent.state)) {
      if (!mayStall(i)) {
        // Bob's device gave up on its answer, though nothing in the plan explains that: Bob's app's doing.
        const gaveUp = bobs.find((phone) => unsentAnswer(sim, phone, transferId));
        problems.push(
          gaveUp
            ? { phone: gaveUp.name, text: `liveness: ${gaveUp.name} never got its answer to ${which} through (the server never accepted it), so the share was still ${stateWords(sent)} ${horizon}` }
            : { phone: alice.name, text: `liveness: ${which} was still ${stateWords(sent)} ${horizon}; a share must end completed, or failed or cancelled for a reason` },
        );
      }
    } else if (!explained(sent, cancelled, extraAtAlice)) {
      // Ended by an answer of Bob's (failed with a reason, declined): Bob's app said so, Alice's only listened.
      const answeredBy = bobs.find((phone) => answered(sim, phone, transferId, sent));
      problems.push(
        answeredBy
          ? { phone: answeredBy.name, text: `liveness: ${answeredBy.name} answered ${which} ${stateWords(sent)}, which nothing in the plan explains` }
          : { phone: alice.name, text: `liveness: ${which} ended ${stateWords(sent)}, which nothing in the plan explains` },
      );
    }
    for (const phone of bobs) {
      if (!heardOf(phone, transferId, alice.device.aci)) continue;
      const got = lastState(phone, transferId, 'receiver');
      // Bob's other device in the stateful flow: told the share was taken, or, when the package
      // overtook its invitation there (the protocol says nothing of a package before its
      // invitation), left waiting until the expiration.
      const extra = [
        ...(plan.flow === 'stateful' && plan.bobHasTablet ? ['taken', ...(disturbed ? ['expired'] : [])] : []),
        ...(forgedRequest ? ['key-mismatch', 'expired'] : []),
        ...(forgedAnswer || deleted ? ['expired'] : []),
      ];
      if (!got || !FINAL.includes(got.state)) {
        problems.push({ phone: phone.name, text: `liveness: ${phone.name} got Alice's invitation for ${which} but its transfer was still ${stateWords(got)} ${horizon}` });
      } else if (!explained(got, cancelled, extra)) {
        problems.push({ phone: phone.name, text: `liveness: ${phone.name} ended ${which} ${stateWords(got)}, which nothing in the plan explains` });
      }
    }
  }

  // What Bob's app must make of the transfers Alice's device crafted (adversary.ts).
  for (const t of crafted) {
    for (const phone of bobs) {
      if (!heardOf(phone, t.transferId, alice.device.aci)) continue;
      const provisioned = phone.events.some((e) => e.type === 'provisioned' && e.transferId === t.transferId);
      const what = `${t.message} (transfer ${t.transferId})`;
      if (t.expect === 'provisioned' && !provisioned) {
        problems.push({ phone: phone.name, text: `${phone.name} did not provision ${what}: a receiver ignores fields it does not know (R-COMPAT-1)` });
      }
      if (t.expect !== 'provisioned' && provisioned) {
        problems.push({ phone: phone.name, text: `${phone.name} provisioned ${what}` });
      }
      if (t.expect === 'answered malformed' && !answersMayBeLost) {
        const answered = sim.protocolMessages(phone, 'sent', t.transferId, 'TransferComplete').some((m) => m.status === 'failed' && m.reason === 'malformed');
        if (!answered) problems.push({ phone: phone.name, text: `${phone.name} never answered ${what} as malformed (R-VALID-1)` });
      }
    }
  }
  return problems;
}

/** Whether a phone's devices tried to send an answer for the transfer and the server never accepted one. */
function unsentAnswer(sim: Simulation, phone: Phone, transferId: string): boolean {
  const labels = new Set(phone.devices.map((d) => d.label));
  const tries = sim.trace.find('device.sent', (e) => labels.has(String(e.device)) && e.message === 'TransferComplete' && e.transferId === transferId);
  return tries.length > 0 && !tries.some((e) => e.httpStatus === 200);
}

/** Whether a phone's devices answered the transfer with the state (and reason) the sender ended in. */
function answered(sim: Simulation, phone: Phone, transferId: string, r: TransferReport): boolean {
  return sim.protocolMessages(phone, 'sent', transferId, 'TransferComplete').some((m) => m.status === r.state && m.reason === r.reason);
}

/** Whether any of a phone's devices received the transfer's invitation (well-formed or not) from `sender` (Alice's account). */
function heardOf(phone: Phone, transferId: string, sender: string): boolean {
  return phone.devices.some((d) =>
    d.plaintexts.some((p) => {
      if (p.direction !== 'received' || p.peer !== sender) return false;
      const text = new TextDecoder().decode(p.bytes);
      return text.includes(transferId) && text.includes('"ShareInvitation"');
    }),
  );
}
