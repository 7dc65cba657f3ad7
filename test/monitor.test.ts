/**
 * Each invariant of the protocol monitor, on hand-made histories: one that breaks it (the
 * invariant must say so, naming the phone and the events) and the same story told right (it
 * must stay quiet).
 */
import { describe, expect, it } from 'vitest';
import { INVARIANTS, check, type History } from '../src/monitor/index.ts';
import type { AppEvent } from '../src/adapter/contract.ts';
import type { ProtocolMessage } from '../src/protocol/messages.ts';
import type { Attempt, MessageEvent } from '../src/monitor/history.ts';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const M = 'cccccccc-0000-4000-8000-000000000003';
const T = 'dddddddd-0000-4000-8000-000000000004';
const ALICE = "Alice's phone";
const BOB = "Bob's phone";
const MALLORY = "Mallory's phone";
const SECRET = 'the-car-key-secret-bytes';
const T0 = Date.UTC(2030, 0, 1);
const HOUR = 3_600_000;

let seq = 0;
const next = () => ++seq;
const id = (n: number) => `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;

function invitation(overrides: Partial<Extract<ProtocolMessage, { type: 'ShareInvitation' }>> = {}): ProtocolMessage {
  return {
    type: 'ShareInvitation', version: 1, messageId: id(1), transferId: T, flow: 'stateless', format: 'digitalwallet.carkey.ccc',
    displayInformation: { title: 'Car key', description: '' }, expiration: new Date(T0 + 24 * HOUR).toISOString(), provisioningInformation: SECRET, ...overrides,
  } as ProtocolMessage;
}
const answer = (status: 'provisioned' | 'failed', messageId = id(2)): ProtocolMessage => ({ type: 'TransferComplete', version: 1, messageId, transferId: T, status });
const pkg = (overrides: Record<string, unknown> = {}): ProtocolMessage =>
  ({ type: 'KeyImportRequest', version: 1, messageId: id(3), transferId: T, receiverPublicKey: 'KEY', receiverDeviceId: 1, signature: 'SIG', credentialData: SECRET, ...overrides }) as ProtocolMessage;
const ksr = (key = 'KEY', transferId = T, messageId = id(4)): ProtocolMessage => ({ type: 'KeySigningRequest', version: 1, messageId, transferId, receiverPublicKey: key });

const phoneOf = (name: string) => ({ [ALICE]: A, [BOB]: B, [MALLORY]: M })[name]!;

function msg(phone: string, direction: 'sent' | 'received', peer: string, message: ProtocolMessage, at = T0, extra: Partial<MessageEvent> = {}): MessageEvent {
  return { seq: next(), at, phone, device: `${phoneOf(phone)}.1`, direction, peer, message, text: JSON.stringify(message), scripted: false, ...extra };
}
function attempt(phone: string, message: ProtocolMessage, httpStatus: Attempt['httpStatus'], at: number, extra: Partial<Attempt> = {}): Attempt {
  return { seq: next(), at, phone, device: `${phoneOf(phone)}.1`, to: B, type: message.type, messageId: message.messageId, transferId: message.transferId, httpStatus, scripted: false, ...extra };
}
const report = (phone: string, event: AppEvent, at = T0) => ({ seq: next(), at, phone, event });
const provisioned = (phone = BOB, data = SECRET): AppEvent => ({ type: 'provisioned', transferId: T, from: A, format: 'digitalwallet.carkey.ccc', title: 'Car key', provisioningInformation: data });
const state = (phone: 'sender' | 'receiver', s: string, reason?: string): AppEvent => ({ type: 'transfer', transferId: T, role: phone, state: s, ...(reason ? { reason } : {}) }) as AppEvent;

function history(parts: Partial<History>): History {
  return {
    phones: [ALICE, BOB, MALLORY].map((name) => ({ name, accounts: [phoneOf(name)], devices: [`${phoneOf(name)}.1`], app: 'the app under test', underTest: true })),
    messages: [], attempts: [], reports: [], logs: [], cancels: [], identity: [],
    shares: [{ seq: 0, phone: ALICE, transferId: T, request: { recipient: B, flow: 'stateless', format: 'digitalwallet.carkey.ccc', displayInformation: { title: 'Car key', description: '' }, expiresAt: T0 + 24 * HOUR, provisioningInformation: SECRET } }],
    endedAt: T0 + HOUR,
    ...parts,
  };
}

/** A stateless share told right: invitation sent and received, provisioned once, answered, completed. */
function goodStory(): Partial<History> {
  const inv = invitation();
  return {
    messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv), msg(BOB, 'sent', A, answer('provisioned')), msg(ALICE, 'received', B, answer('provisioned'))],
    attempts: [attempt(ALICE, inv, 200, T0)],
    reports: [report(BOB, provisioned()), report(BOB, state('receiver', 'provisioned')), report(ALICE, state('sender', 'completed'))],
  };
}

function violations(id: string, parts: Partial<History>) {
  const invariant = INVARIANTS.find((i) => i.id === id);
  expect(invariant, id).toBeDefined();
  return check(history(parts), [invariant!]);
}

/** Each invariant: a story that breaks it. */
const BROKEN: Record<string, () => Partial<History>> = {
  'INV-ONCE': () => {
    const g = goodStory();
    return { ...g, reports: [...g.reports!, report(BOB, provisioned())] };
  },
  'INV-INVITED-ONLY': () => {
    const g = goodStory();
    return { ...g, reports: [...g.reports!, report(MALLORY, provisioned(MALLORY))] };
  },
  'INV-ONE-DEVICE': () => {
    const inv = invitation({ flow: 'stateful', provisioningInformation: 'e30=', senderPublicKey: 'PUB' } as never);
    return { messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv), msg(BOB, 'received', A, pkg({ receiverDeviceId: 2 }))], reports: [report(BOB, provisioned())] };
  },
  'INV-EXACT': () => {
    const g = goodStory();
    return { ...g, reports: [report(BOB, provisioned(BOB, 'something else'))] };
  },
  'INV-BEFORE-EXPIRY': () => {
    const g = goodStory();
    return { ...g, reports: [report(BOB, provisioned(), T0 + 24 * HOUR)] };
  },
  'INV-AFTER-CANCEL': () => {
    const inv = invitation();
    const cancel: ProtocolMessage = { type: 'ShareCancel', version: 1, messageId: id(9), transferId: T };
    return { messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, cancel), msg(BOB, 'received', A, inv)], reports: [report(BOB, provisioned())] };
  },
  'INV-NO-ANSWER-TO-CANCEL': () => {
    const inv = invitation();
    const cancel: ProtocolMessage = { type: 'ShareCancel', version: 1, messageId: id(9), transferId: T };
    const received = msg(BOB, 'received', A, cancel);
    return { messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv), received], attempts: [attempt(BOB, answer('failed', id(10)), 200, T0)] };
  },
  'INV-FINAL': () => {
    const g = goodStory();
    return { ...g, reports: [...g.reports!, report(BOB, state('receiver', 'cancelled', 'cancelled'))] };
  },
  'INV-CREDENTIAL-RECIPIENT': () => {
    const g = goodStory();
    return { ...g, messages: [...g.messages!, msg(BOB, 'sent', M, invitation({ messageId: id(7) }))] };
  },
  'INV-CONFIRMED-IDENTITY': () => {
    const inv = invitation();
    const changed = { seq: next(), device: `${A}.1`, peer: B, kind: 'changed' as const };
    return { identity: [changed], messages: [msg(ALICE, 'sent', B, inv)] };
  },
  'INV-SECRET-KEPT': () => {
    const g = goodStory();
    return { ...g, logs: [{ seq: next(), phone: BOB, text: JSON.stringify({ message: 'got', detail: { secret: SECRET } }) }] };
  },
  'INV-ONE-ID': () => {
    const g = goodStory();
    return { ...g, attempts: [attempt(ALICE, invitation(), 503, T0), attempt(ALICE, invitation({ messageId: id(8) }), 200, T0 + 1000)] };
  },
  'INV-RETRY-SPACING': () => ({ attempts: [attempt(ALICE, invitation(), 503, T0), attempt(ALICE, invitation(), 200, T0 + 100)] }),
  'INV-RETRY-BUDGET': () => ({ attempts: [attempt(ALICE, invitation(), 503, T0), attempt(ALICE, invitation(), 503, T0 + 1000)], endedAt: T0 + HOUR }),
  'INV-NO-HOPELESS-RETRY': () => ({ attempts: [attempt(ALICE, invitation(), 404, T0), attempt(ALICE, invitation(), 404, T0 + 1000)] }),
  'INV-COMPLETED-MEANS-PROVISIONED': () => {
    const inv = invitation();
    return { messages: [msg(ALICE, 'sent', B, inv)], reports: [report(ALICE, state('sender', 'completed'))] };
  },
  'INV-PROVISIONED-AFTER-PACKAGE': () => {
    const inv = invitation({ flow: 'stateful', provisioningInformation: 'e30=', senderPublicKey: 'PUB' } as never);
    return { messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv)], reports: [report(BOB, provisioned())] };
  },
  'INV-UNIQUE-TRANSFER': () => {
    const h = history({});
    return { shares: [...h.shares, { ...h.shares[0]!, seq: 5 }] };
  },
  'INV-FRESH-KEY': () => ({ messages: [msg(BOB, 'sent', A, ksr('KEY', T)), msg(BOB, 'sent', A, ksr('KEY', id(99), id(5)))] }),
  // Bob's phone asked once and then waited 3 hours for a package that never came, without asking again.
  'INV-ASKS-AGAIN': () => waitingReceiver([T0], T0 + 3 * HOUR),
};

/** A stateful invitation Bob's phone got, and its signing requests (one message id each) at `asks`. */
function waitingReceiver(asks: number[], endedAt: number, more: Partial<History> = {}): Partial<History> {
  const inv = invitation({ flow: 'stateful', provisioningInformation: 'e30=', senderPublicKey: 'PUB' } as never);
  return {
    messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv, T0), ...(more.messages ?? [])],
    attempts: asks.map((at, i) => attempt(BOB, ksr('KEY', T, id(50 + i)), 200, at, { to: A })),
    reports: more.reports ?? [],
    endedAt,
  };
}

describe('the protocol monitor', () => {
  it('has a violating story for every invariant', () => {
    expect(Object.keys(BROKEN).sort()).toEqual(INVARIANTS.map((i) => i.id).sort());
  });

  it.each(Object.keys(BROKEN))('%s: a story that breaks it is caught, naming the phone and the events', (id) => {
    const found = violations(id, BROKEN[id]!());
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    expect(found[0]!.invariant).toBe(id);
    expect([ALICE, BOB, MALLORY]).toContain(found[0]!.phone);
    expect(found[0]!.events.length).toBeGreaterThan(0);
  });

  it('a stateless share told right breaks nothing', () => {
    expect(check(history(goodStory()))).toEqual([]);
  });

  it('a stateful invitation that carries the credential data breaks INV-PROVISIONED-AFTER-PACKAGE; the final package carrying it does not', () => {
    const stateful = { ...history({}).shares[0]!, request: { ...history({}).shares[0]!.request, flow: 'stateful' as const } };
    const told = invitation({ flow: 'stateful', provisioningInformation: 'e30=', senderPublicKey: 'PUB' } as never);
    const leaky = invitation({ flow: 'stateful', provisioningInformation: SECRET, senderPublicKey: 'PUB' } as never);
    expect(check(history({ shares: [stateful], messages: [msg(ALICE, 'sent', B, told), msg(ALICE, 'sent', B, pkg())] }))).toEqual([]);
    const found = check(history({ shares: [stateful], messages: [msg(ALICE, 'sent', B, leaky), msg(ALICE, 'sent', B, pkg())] }));
    expect(found.map((v) => [v.invariant, v.phone])).toEqual([['INV-PROVISIONED-AFTER-PACKAGE', ALICE]]);
    expect(found[0]!.problem).toMatch(/put the credential data of stateful transfer .* in a ShareInvitation/);
  });

  it("a share that failed before sending, whose id the next share got, is INV-UNIQUE-TRANSFER's alone: the next share's invitation is not judged against the first's request", () => {
    const g = goodStory();
    const h = history({});
    const failedFirst = { ...h.shares[0]!, seq: 0, request: { ...h.shares[0]!.request, recipient: '+15550000000', provisioningInformation: 'another-credential-never-sent' } };
    const found = check(history({ ...g, shares: [failedFirst, { ...h.shares[0]!, seq: 1 }] }));
    expect(found.map((v) => v.invariant)).toEqual(['INV-UNIQUE-TRANSFER']);
  });

  it('retries told right break nothing: three attempts 0.5 s to 5 min apart, a 429 honoured beyond 5 minutes, a scripted resend ignored', () => {
    const inv = invitation();
    const attempts = [
      attempt(ALICE, inv, 503, T0),
      attempt(ALICE, inv, 429, T0 + 500, { retryAfter: 600 }),
      attempt(ALICE, inv, 'network-error', T0 + 500 + 600_000),
      attempt(ALICE, inv, 200, T0 + 500 + 600_000 + 300_000),
      attempt(ALICE, invitation({ messageId: id(42) }), 200, T0 + 500 + 600_000 + 300_001, { scripted: true }),
    ];
    expect(check(history({ ...goodStory(), attempts }))).toEqual([]);
  });

  it('gives up after three passing failures without breaking the budget, and a scenario that ended mid-backoff is not judged', () => {
    const inv = invitation();
    const three = [attempt(ALICE, inv, 503, T0), attempt(ALICE, inv, 503, T0 + 1000), attempt(ALICE, inv, 503, T0 + 3000)];
    expect(check(history({ attempts: three, endedAt: T0 + HOUR }))).toEqual([]);
    expect(check(history({ attempts: three.slice(0, 1), endedAt: T0 + 1000 }))).toEqual([]);
  });

  it('a receiver asking again within the bounds breaks nothing; asking again sooner than a minute does', () => {
    const within = (id: string, parts: Partial<History>) => check(history(parts), INVARIANTS.filter((i) => i.id === id));
    // First re-request exactly 2 hours after the first, the next exactly 1 minute later: the edges hold.
    expect(within('INV-ASKS-AGAIN', waitingReceiver([T0, T0 + 2 * HOUR, T0 + 2 * HOUR + 60_000], T0 + 5 * HOUR))).toEqual([]);
    // The package came within 2 hours: no re-request was due.
    expect(within('INV-ASKS-AGAIN', waitingReceiver([T0], T0 + 5 * HOUR, { messages: [msg(BOB, 'received', A, pkg(), T0 + 2 * HOUR)] }))).toEqual([]);
    // The scenario ended exactly 2 hours after the first request: not judged yet.
    expect(within('INV-ASKS-AGAIN', waitingReceiver([T0], T0 + 2 * HOUR))).toEqual([]);
    // One millisecond later it is.
    expect(within('INV-ASKS-AGAIN', waitingReceiver([T0], T0 + 2 * HOUR + 1))).toHaveLength(1);
    // Asked again 59.999 s after the previous request.
    const soon = within('INV-ASKS-AGAIN', waitingReceiver([T0, T0 + HOUR, T0 + HOUR + 59_999], T0 + 3 * HOUR));
    expect(soon.map((v) => v.problem)).toEqual([expect.stringMatching(/59999 ms after its previous request, sooner than 1 minute/)]);
  });

  it('a receiver asking again after it reported its transfer provisioned breaks INV-ASKS-AGAIN; the same request before the report does not', () => {
    const within = (parts: Partial<History>) => check(history(parts), INVARIANTS.filter((i) => i.id === 'INV-ASKS-AGAIN'));
    const parts = waitingReceiver([T0], T0 + 3 * HOUR);
    const ask = (at: number) => attempt(BOB, ksr('KEY', T, id(60)), 200, at, { to: A });
    const early = ask(T0 + 20 * 60_000);
    const done = report(BOB, state('receiver', 'provisioned'), T0 + 30 * 60_000);
    const late = ask(T0 + HOUR);
    expect(within({ ...parts, reports: [done], attempts: [...parts.attempts!, early] })).toEqual([]);
    const found = within({ ...parts, reports: [done], attempts: [...parts.attempts!, late] });
    expect(found.map((v) => v.problem)).toEqual([expect.stringMatching(/asked again .* after it had reported the transfer provisioned/)]);
  });

  it('a final package attempted before the user cancelled, and sent again after (a retry, or one held for a new safety number released), breaks INV-AFTER-CANCEL', () => {
    const afterCancel = INVARIANTS.filter((i) => i.id === 'INV-AFTER-CANCEL');
    const inv = invitation({ flow: 'stateful' } as never);
    const pack = pkg();
    const before = attempt(ALICE, pack, 503, T0);
    const story = (attempts: Attempt[], cancelledAt: number) => history({ messages: [msg(ALICE, 'sent', B, inv)], attempts, cancels: [{ seq: cancelledAt, at: T0 + 1_000, phone: ALICE, transferId: T }] });
    const cancelled = next();
    const again = attempt(ALICE, pack, 200, T0 + 2_000);
    expect(check(story([before], cancelled), afterCancel)).toEqual([]);
    const found = check(story([before, again], cancelled), afterCancel);
    expect(found.map((v) => v.problem)).toEqual([expect.stringMatching(/sent again a final package for transfer .* after its user cancelled the share/)]);
    // Signed after the cancel: the first attempt comes after it.
    expect(check(story([{ ...before, seq: next() }], cancelled), afterCancel).map((v) => v.problem)).toEqual([expect.stringMatching(/signed a final package/)]);
  });

  it("a receiver's answer started before the sender's cancel arrived may still be retried; a new message after it is an answer to the cancel, and a third party's cancel asks for nothing", () => {
    const only = INVARIANTS.filter((i) => i.id === 'INV-NO-ANSWER-TO-CANCEL');
    const inv = invitation();
    const done = answer('provisioned', id(10));
    const cancel = (from: string): ProtocolMessage & { transferId: string } => ({ type: 'ShareCancel', version: 1, messageId: id(from === A ? 9 : 11), transferId: T });
    const story = (cancelFrom: string, attempts: Attempt[]) =>
      history({ messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv), msg(BOB, 'received', cancelFrom, cancel(cancelFrom))], attempts: [attempt(BOB, done, 503, T0), ...attempts] });
    // The retry of the answer begun before the cancel: no finding.
    expect(check(story(A, [attempt(BOB, done, 200, T0 + 1_000)]), only)).toEqual([]);
    // A TransferComplete with a new message id after the cancel: an answer to it.
    const found = check(story(A, [attempt(BOB, answer('failed', id(12)), 200, T0 + 1_000)]), only);
    expect(found.map((v) => [v.phone, v.problem])).toEqual([[BOB, expect.stringMatching(/answered the sender's cancel of transfer .*: it sent a TransferComplete after the cancel arrived/)]]);
    // Mallory's forged cancel is void: what Bob sends after it is no answer to a cancel.
    expect(check(story(M, [attempt(BOB, answer('failed', id(12)), 200, T0 + 1_000)]), only)).toEqual([]);
  });

  it('an invitation tried again after its user cancelled breaks INV-AFTER-CANCEL; its attempts before the cancel do not', () => {
    const afterCancel = INVARIANTS.filter((i) => i.id === 'INV-AFTER-CANCEL');
    const inv = invitation();
    const first = attempt(ALICE, inv, 503, T0);
    const cancelled = next();
    const story = (attempts: Attempt[]) => history({ messages: [msg(ALICE, 'sent', B, inv)], attempts, cancels: [{ seq: cancelled, at: T0, phone: ALICE, transferId: T }] });
    expect(check(story([first]), afterCancel)).toEqual([]);
    const found = check(story([first, attempt(ALICE, inv, 200, T0 + 1_000)]), afterCancel);
    expect(found.map((v) => v.problem)).toEqual([expect.stringMatching(/tried its invitation for transfer .* again after its user cancelled the share/)]);
  });

  it('a provisioned report deferred within the instant of a cancel that came after the invitation breaks nothing; one a millisecond later does', () => {
    const inv = invitation();
    const cancel: ProtocolMessage = { type: 'ShareCancel', version: 1, messageId: id(9), transferId: T };
    const story = (reportAt: number) => ({ messages: [msg(ALICE, 'sent', B, inv), msg(BOB, 'received', A, inv), msg(BOB, 'received', A, cancel)], reports: [report(BOB, provisioned(), reportAt)] });
    const afterCancel = INVARIANTS.filter((i) => i.id === 'INV-AFTER-CANCEL');
    expect(check(history(story(T0)), afterCancel)).toEqual([]);
    expect(check(history(story(T0 + 1)), afterCancel)).toHaveLength(1);
  });

  it('a message held for a new identity, or whose transfer expired before another attempt was due, is not judged given up', () => {
    const budget = INVARIANTS.filter((i) => i.id === 'INV-RETRY-BUDGET');
    const failedOnce = (inv: ProtocolMessage) => attempt(ALICE, inv, 503, T0);
    const changed = () => ({ seq: next(), device: `${A}.1`, peer: B, kind: 'changed' as const });
    const inv = invitation();
    expect(check(history({ attempts: [failedOnce(inv)], identity: [changed()], endedAt: T0 + HOUR }), budget)).toEqual([]);
    const soonExpiring = invitation({ expiration: new Date(T0 + 60_000).toISOString() });
    expect(check(history({ messages: [msg(ALICE, 'sent', B, soonExpiring)], attempts: [failedOnce(soonExpiring)], endedAt: T0 + HOUR }), budget)).toEqual([]);
    // The same single attempt, nothing held and a day to go: given up too soon.
    expect(check(history({ messages: [msg(ALICE, 'sent', B, inv)], attempts: [failedOnce(inv)], endedAt: T0 + HOUR }), budget)).toHaveLength(1);
  });

  it('a message may be given up once it no longer matters: no invitation reached the server before the share request expired, the peer answered it, or the user cancelled', () => {
    const budget = INVARIANTS.filter((i) => i.id === 'INV-RETRY-BUDGET');
    const inv = invitation();
    const failedOnce = () => attempt(ALICE, inv, 503, T0);
    const shares = (expiresAt: number) => [{ seq: 0, phone: ALICE, transferId: T, request: { ...history({}).shares[0]!.request, expiresAt } }];
    // The invitation never reached the server (no message of it): the share request's expiration counts.
    expect(check(history({ shares: shares(T0 + 60_000), attempts: [failedOnce()], endedAt: T0 + HOUR }), budget)).toEqual([]);
    expect(check(history({ shares: shares(T0 + 24 * HOUR), attempts: [failedOnce()], endedAt: T0 + HOUR }), budget)).toHaveLength(1);
    // The server took an earlier copy and Bob answered: the invitation arrived.
    const attempted = failedOnce();
    expect(check(history({ attempts: [attempted], messages: [msg(ALICE, 'received', B, answer('provisioned'), T0 + 1)], endedAt: T0 + HOUR }), budget)).toEqual([]);
    // Alice's user cancelled: the invitation no longer matters.
    const cancel: ProtocolMessage = { type: 'ShareCancel', version: 1, messageId: id(9), transferId: T };
    expect(check(history({ attempts: [failedOnce()], messages: [msg(ALICE, 'sent', B, cancel, T0 + 1)], endedAt: T0 + HOUR }), budget)).toEqual([]);
    // ... even when the cancel itself has not got through yet.
    expect(check(history({ attempts: [failedOnce()], cancels: [{ seq: next(), at: T0 + 1, phone: ALICE, transferId: T }], endedAt: T0 + HOUR }), budget)).toEqual([]);
    // An answer long after the next attempt was due does not excuse giving up.
    expect(check(history({ attempts: [failedOnce()], messages: [msg(ALICE, 'received', B, answer('provisioned'), T0 + HOUR)], endedAt: T0 + 2 * HOUR }), budget)).toHaveLength(1);
    // An answer from someone else, or a message of another transfer, changes nothing.
    expect(check(history({ attempts: [failedOnce()], messages: [msg(ALICE, 'received', M, answer('provisioned'), T0 + 1)], endedAt: T0 + HOUR }), budget)).toHaveLength(1);
  });

  it('a retry held for a new identity until the user confirmed it is not judged too late', () => {
    const inv = invitation();
    const failed = attempt(ALICE, inv, 503, T0);
    const changed = { seq: next(), device: `${A}.1`, peer: B, kind: 'changed' as const };
    const confirmed = { seq: next(), device: `${A}.1`, peer: B, kind: 'confirmed' as const };
    const sent = attempt(ALICE, inv, 200, T0 + HOUR);
    expect(check(history({ identity: [changed, confirmed], attempts: [failed, sent], messages: [msg(ALICE, 'sent', B, inv)] }), INVARIANTS.filter((i) => i.id === 'INV-RETRY-SPACING'))).toEqual([]);
    // Without the identity change, an hour is too long.
    expect(check(history({ attempts: [failed, { ...sent, seq: next() }] }), INVARIANTS.filter((i) => i.id === 'INV-RETRY-SPACING'))).toHaveLength(1);
  });

  it('a final package sent again at once because Bob asked again is an answer, not a retry too soon; after a 429 the Retry-After still holds', () => {
    const spacing = INVARIANTS.filter((i) => i.id === 'INV-RETRY-SPACING');
    const inv = invitation();
    const pack = pkg();
    const failed = attempt(ALICE, pack, 503, T0);
    const askedAgain = msg(ALICE, 'received', B, ksr(), T0);
    const answered = attempt(ALICE, pack, 200, T0);
    expect(check(history({ messages: [msg(ALICE, 'sent', B, inv), askedAgain], attempts: [failed, answered] }), spacing)).toEqual([]);
    // Nobody asked: 0 ms after a 503 is too soon.
    expect(check(history({ messages: [msg(ALICE, 'sent', B, inv)], attempts: [attempt(ALICE, pack, 503, T0), attempt(ALICE, pack, 200, T0)] }), spacing)).toHaveLength(1);
    // Asked again, but the server said Retry-After 30: still too soon.
    const limited = attempt(ALICE, pack, 429, T0, { retryAfter: 30 });
    expect(check(history({ messages: [msg(ALICE, 'sent', B, inv), msg(ALICE, 'received', B, ksr(), T0)], attempts: [limited, attempt(ALICE, pack, 200, T0 + 1_000)] }), spacing)).toHaveLength(1);
  });

  it('a credential sent to a changed identity after the user confirmed it breaks nothing', () => {
    const inv = invitation();
    const changed = { seq: next(), device: `${A}.1`, peer: B, kind: 'changed' as const };
    const confirmed = { seq: next(), device: `${A}.1`, peer: B, kind: 'confirmed' as const };
    expect(check(history({ identity: [changed, confirmed], messages: [msg(ALICE, 'sent', B, inv)] }))).toEqual([]);
  });
});
