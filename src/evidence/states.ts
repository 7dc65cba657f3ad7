/**
 * Evidence rules for the transfer states a phone reports (docs/protocol.md's state machines): a
 * reported state counts only with the traffic that state follows from, as the harness saw it at
 * the devices and the server. Each rule asks for what every conforming app must have done to be
 * in that state, and no more: optional reports (`received`) are never required, retries with the
 * same message id are fine, and where the protocol allows two paths, either is accepted.
 */
import assert from 'node:assert/strict';
import type { AppEvent, FailureReason } from '../adapter/contract.ts';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import { provisionedTraffic } from './provisioning.ts';
import { PhoneRecords, accountOf, accountsOf, recipientAccounts, type ShareFacts } from './records.ts';

type TransferReport = Extract<AppEvent, { type: 'transfer' }>;
type Rule = (facts: Facts) => string | undefined;

/** What a rule reads: the phone's records, the share, and who is on the other side. */
interface Facts {
  sim: Simulation;
  phone: Phone;
  share: ShareFacts;
  records: PhoneRecords;
  /** The other party's accounts: the recipient's for the sender, the sender's for the receiver. */
  peer: Set<string>;
  /** "Bob's account": the other party, for messages. */
  peerName: string;
  /** When the phone made the report being checked (simulated ms). */
  reportedAt: number | undefined;
}

/** The phone's side of a share. */
export function roleIn(phone: Phone, share: ShareFacts): 'sender' | 'receiver' {
  return share.sender === phone ? 'sender' : 'receiver';
}

// ---- sender --------------------------------------------------------------------------------

/** The server accepted this phone's invitation for the transfer, addressed to the recipient (S0a). */
const invitationAccepted: Rule = ({ records, share, peer, peerName }) =>
  records.sent(share.transferId, 'ShareInvitation', peer).length ? undefined : `the server never accepted its invitation for that transfer addressed to ${peerName}`;

/** It received a TransferComplete of that transfer from the recipient's account, with this status (and reason). */
function answered(status: 'provisioned' | 'declined' | 'failed', reason?: FailureReason): Rule {
  return ({ records, share, peer, peerName }) =>
    records.received(share.transferId, 'TransferComplete', peer).some((m) => m.message.status === status && (reason === undefined || m.message.reason === reason))
      ? undefined
      : `its device never received ${peerName}'s answer "${status}${reason ? ` / ${reason}` : ''}" for that transfer`;
}

/** The server accepted this phone's final package for the transfer, addressed to the recipient (S3). */
const packageAccepted: Rule = ({ records, share, peer, peerName }) =>
  records.sent(share.transferId, 'KeyImportRequest', peer).length ? undefined : `the server never accepted its final package for that transfer addressed to ${peerName}`;

/**
 * Sender `failed` / `expired`: the receiver said so (TransferComplete failed/expired, S8), or
 * the phone got a KeySigningRequest for the transfer at or after the expiration and sent no
 * final package (S2), or it said so itself at or after the expiration (its own clock: a share is
 * over at every leg once it expired, R-EXPIRY-1, e.g. a final package held for a new safety number).
 */
const senderExpired: Rule = (facts) => {
  if (!answered('failed', 'expired')(facts)) return undefined;
  const { records, share, peer } = facts;
  if (facts.reportedAt !== undefined && facts.reportedAt >= share.request.expiresAt) return undefined;
  const late = records
    .receivedEvents('KeySigningRequest', share.transferId)
    .filter((e) => peer.has(accountOf(e.from)) && e.problem === undefined && Date.parse(e.at) >= share.request.expiresAt);
  if (late.length === 0) {
    return `its device neither received ${facts.peerName}'s answer "failed / expired" nor a key signing request after the expiration (${new Date(share.request.expiresAt).toISOString()}), and it said so before the expiration`;
  }
  const packages = records.attempts('KeyImportRequest', share.transferId);
  return packages.length ? `it refused a late key signing request, yet its device tried to send a final package ${packages.length} time(s)` : undefined;
};

/** Messages (by message id) of the transfer this phone tried to send, with whether the server accepted any attempt. */
function sends(records: PhoneRecords, transferId: string): Map<string, { accepted: boolean; statuses: unknown[]; type: unknown }> {
  const byId = new Map<string, { accepted: boolean; statuses: unknown[]; type: unknown }>();
  for (const attempt of records.attempts(undefined, transferId)) {
    const id = String(attempt.messageId);
    const entry = byId.get(id) ?? { accepted: false, statuses: [], type: attempt.message };
    entry.accepted ||= attempt.httpStatus === 200;
    entry.statuses.push(attempt.httpStatus);
    byId.set(id, entry);
  }
  return byId;
}

/**
 * Sender `failed` / `send-failed`: a message of the share could not be sent (S0b): at least one
 * attempt was made to send it (the invitation, or a later message such as the final package),
 * and the server accepted none of them.
 */
const sendFailed: Rule = ({ records, share }) => {
  const all = sends(records, share.transferId);
  if ([...all.values()].some((s) => !s.accepted)) return undefined;
  if (all.size === 0) return 'its device never tried to send anything for that transfer';
  return `the server accepted every message its device sent for that transfer (${[...all.values()].map((s) => `${s.type}: ${s.statuses.join(', ')}`).join('; ')})`;
};

/**
 * Sender `failed` / `not-on-signal`: the phone learned the recipient is not on Signal: a lookup
 * of the recipient (its number or account) answered not registered, and then nothing of the
 * transfer was sent; or a message of the transfer was refused with 404 (the account was deleted
 * on the way, S0b).
 */
const notOnSignal: Rule = ({ records, share }) => {
  const names = new Set([share.request.recipient, ...recipientAccounts(share)]);
  const said = records.lookups().filter((e) => names.has(String(e.recipient)) && e.outcome === 'not-registered');
  const attempts = records.attempts(undefined, share.transferId);
  if (attempts.some((a) => a.httpStatus === 404)) return undefined;
  if (said.length === 0) return `its device never learned that ${share.request.recipient} is not on Signal (no lookup answered "not registered", no send of that transfer answered 404)`;
  const after = attempts.filter((a) => a.seq > said[0]!.seq);
  return after.length ? `its device sent ${after.length} message(s) of that transfer after the lookup said the recipient is not on Signal` : undefined;
};

/** Sender `failed` / `sender-not-registered`: a lookup or a send by this phone was answered 401. */
const senderNotRegistered: Rule = ({ records }) =>
  records.lookups().some((e) => e.outcome === 'sender-not-registered') || records.attempts().some((a) => a.httpStatus === 401)
    ? undefined
    : 'the server never refused its device as not registered (no lookup or send answered 401)';

/** Sender `cancelled`: the server accepted its ShareCancel for the transfer, addressed to the recipient (S10). */
const cancelSent: Rule = ({ records, share, peer, peerName }) =>
  records.sent(share.transferId, 'ShareCancel', peer).length ? undefined : `the server never accepted its cancel for that transfer addressed to ${peerName}`;

/** Sender rules by state; `failed` by reason. */
const SENDER: Record<string, Rule[]> = {
  invited: [invitationAccepted],
  'package-sent': [invitationAccepted, packageAccepted],
  completed: [invitationAccepted, (f) => (f.share.request.flow === 'stateful' ? packageAccepted(f) : undefined), answered('provisioned')],
  declined: [answered('declined')],
  cancelled: [cancelSent],
};
/** Sender `failed`, by reason: its own reasons (S0b, S2), or the receiver's answer (S8). */
const SENDER_FAILED: Partial<Record<FailureReason, Rule[]>> = {
  expired: [senderExpired],
  'send-failed': [sendFailed],
  'not-on-signal': [notOnSignal],
  'sender-not-registered': [senderNotRegistered],
  ...Object.fromEntries((['malformed', 'key-mismatch', 'bad-signature', 'unsupported', 'cancelled', 'taken'] as const).map((r) => [r, [answered('failed', r)]])),
};

// ---- receiver ------------------------------------------------------------------------------

/** It received an invitation for the transfer from the sender's account (malformed ones too: they are answered). */
const invitationReceived: Rule = ({ records, share, peer, peerName }) =>
  records.receivedEvents('ShareInvitation', share.transferId).some((e) => peer.has(accountOf(e.from)))
    ? undefined
    : `its device never received an invitation for that transfer from ${peerName}`;

/** The server accepted its KeySigningRequest for the transfer, addressed to the sender (R6). */
const keyRequested: Rule = ({ records, share, peer, peerName }) =>
  records.sent(share.transferId, 'KeySigningRequest', peer).length ? undefined : `the server never accepted its key signing request for that transfer addressed to ${peerName}`;

/** It received a ShareCancel for the transfer from the sender's account (R7, R13). */
const cancelReceived: Rule = ({ records, share, peer, peerName }) =>
  records.received(share.transferId, 'ShareCancel', peer).length ? undefined : `its device never received a cancel for that transfer from ${peerName}`;

/** It told the sender: the server accepted its TransferComplete with this status (and reason) for the transfer, addressed to the sender. */
function told(status: 'declined' | 'failed', reason?: FailureReason): Rule {
  return ({ records, share, peer, peerName }) =>
    records.sent(share.transferId, 'TransferComplete', peer).some((m) => m.message.status === status && (reason === undefined || m.message.reason === reason))
      ? undefined
      : `the server never accepted its answer "${status}${reason ? ` / ${reason}` : ''}" for that transfer addressed to ${peerName}`;
}

/** Receiver `failed` / `taken`: it received a final package for the transfer from the sender naming another of the account's devices (R18). */
const taken: Rule = ({ records, share, peer, peerName }) =>
  records.received(share.transferId, 'KeyImportRequest', peer).some((p) => p.message.receiverDeviceId !== p.deviceId)
    ? undefined
    : `its device never received a final package for that transfer from ${peerName} naming another device`;

/** It received a final package for the transfer from the sender's account (what R10 and R11 refuse). */
const packageReceived: Rule = ({ records, share, peer, peerName }) =>
  records.received(share.transferId, 'KeyImportRequest', peer).length ? undefined : `its device never received a final package for that transfer from ${peerName}`;

/** Receiver rules by state. */
const RECEIVER: Record<string, Rule[]> = {
  received: [invitationReceived],
  'key-requested': [invitationReceived, keyRequested],
  provisioned: [({ sim, phone, share }) => provisionedTraffic(sim, phone, share)],
  cancelled: [cancelReceived],
  declined: [invitationReceived, told('declined')],
};
/**
 * Receiver `failed`, by reason: each refusal answers an invitation (or a package) with a
 * TransferComplete `failed` and that reason (R1-R4, R9-R11, R14); `taken` sends none (R18).
 */
const RECEIVER_FAILED: Partial<Record<FailureReason, Rule[]>> = {
  taken: [taken],
  cancelled: [cancelReceived],
  expired: [invitationReceived, told('failed', 'expired')],
  malformed: [invitationReceived, told('failed', 'malformed')],
  unsupported: [invitationReceived, told('failed', 'unsupported')],
  'key-mismatch': [invitationReceived, packageReceived, told('failed', 'key-mismatch')],
  'bad-signature': [invitationReceived, packageReceived, told('failed', 'bad-signature')],
};

// ---- the rules the steps call ----------------------------------------------------------------

/** The missing evidence for a phone's report about a share, or undefined when its traffic backs it. */
export function missingEvidence(sim: Simulation, phone: Phone, share: ShareFacts, report: TransferReport): string | undefined {
  const role = roleIn(phone, share);
  const facts: Facts = {
    sim,
    phone,
    share,
    records: new PhoneRecords(sim, phone),
    peer: role === 'sender' ? recipientAccounts(share) : accountsOf(share.sender),
    peerName: role === 'sender' ? (share.receiver ? `${share.receiver.owner}'s account` : 'anyone on Signal') : `${share.sender.owner}'s account`,
    reportedAt: phone.reports.find((r) => r.event === report)?.at,
  };
  let rules: Rule[] | undefined;
  if (report.state === 'failed') {
    rules = (role === 'sender' ? SENDER_FAILED : RECEIVER_FAILED)[report.reason as FailureReason];
    if (!rules) return `a ${role} has no "failed / ${report.reason ?? 'no reason'}" the harness can check (see docs/protocol.md)`;
  } else {
    rules = (role === 'sender' ? SENDER : RECEIVER)[report.state];
    if (!rules) return `a ${role} never reports "${report.state}" (see docs/protocol.md)`;
  }
  for (const rule of rules) {
    const missing = rule(facts);
    if (missing) return missing;
  }
  return undefined;
}

const describeReports = (reports: TransferReport[]) => reports.map((r) => r.state + (r.reason ? `/${r.reason}` : '')).join(' -> ') || 'none';

/** Fails unless the report is backed by traffic, naming the phone, the state and what is missing. */
function backed(sim: Simulation, phone: Phone, share: ShareFacts, report: TransferReport): void {
  const missing = missingEvidence(sim, phone, share, report);
  if (missing) {
    const said = report.state + (report.reason ? ` (${report.reason})` : '');
    assert.fail(`${phone.name} reported the ${share.kind} share as ${said}, but ${missing}`);
  }
}

/** "X's phone reports the share as <state>": the last state it reported for the share is `state`, and its traffic backs it. */
export function reportedState(sim: Simulation, phone: Phone, share: ShareFacts, state: string): void {
  const reports = phone.transferReports(share.transferId);
  const last = reports.at(-1);
  assert.equal(last?.state, state, `${phone.name} reports the share as ${last?.state ?? 'nothing'}, expected ${state} (reports: ${describeReports(reports)})`);
  backed(sim, phone, share, last!);
}

/** "X's phone reports the share as failed because ...": the last report is `failed` with `reason`, and its traffic backs it. */
export function reportedFailure(sim: Simulation, phone: Phone, share: ShareFacts, reason: FailureReason): void {
  const reports = phone.transferReports(share.transferId);
  const last = reports.at(-1);
  assert.deepEqual(
    { state: last?.state, reason: last?.reason },
    { state: 'failed', reason },
    `${phone.name} reports the share as ${last ? describeReports([last]) : 'nothing'}, expected failed/${reason} (reports: ${describeReports(reports)})`,
  );
  backed(sim, phone, share, last!);
}

/** "X's phone never reported the share as ...": no report of that state, at any time, for the share. */
export function neverReportedState(phone: Phone, share: ShareFacts, state: string): void {
  const reports = phone.transferReports(share.transferId);
  assert.ok(!reports.some((r) => r.state === state), `${phone.name} reported the share as ${state} (reports: ${describeReports(reports)})`);
}
