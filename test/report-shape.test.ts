/**
 * The report's shape, piece by piece: the sequence diagram read from a small trace (lifelines,
 * message labels, fault marks, times, escaping, long exchanges), the requirement texts and the
 * failure messages that name them, the Suites labels, and a lost scenario's result carrying the
 * same. No CLI run here: test/reports.test.ts checks a real run's results.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '../src/sim/trace.ts';
import { exchangeOf, formatDuration, type Arrow } from '../src/report/exchange.ts';
import { renderSequenceDiagram, wrap } from '../src/report/sequence-diagram.ts';
import { describeRequirement, requirementAttachment, requirementsPage, shortText, withRequirements } from '../src/report/requirements.ts';
import { requirementIds } from '../src/requirements.ts';
import { featureFolder, placeLabels } from '../src/report/labels.ts';
import { writeLostScenario } from '../src/run/allure.ts';
import { REQUIREMENTS } from '../src/requirements.ts';
import { readSvg } from './svg-xml.ts';

const T0 = Date.parse('2050-01-01T00:00:00.000Z');
const ALICE = 'aaaaaaaa-0000-4000-8000-000000000001';
const BOB = 'bbbbbbbb-0000-4000-8000-000000000002';
const TRANSFER = '1234abcd-0000-4000-8000-00000000000f';
const HOUR = 3_600_000;

/** Trace events from [ms after T0, kind, detail], numbered in order. */
function trace(...list: Array<[number, string, Record<string, unknown>?]>): TraceEvent[] {
  return list.map(([ms, kind, detail], i) => ({ seq: i + 1, at: new Date(T0 + ms).toISOString(), kind, ...detail }));
}

const invite = { message: 'ShareInvitation', transferId: TRANSFER };
/** Alice shares with Bob: refused once (503), then sent, delayed 2 h, dropped, delivered again; Bob answers, tampered on the way. */
const story = trace(
  [0, 'sim.phone-added', { owner: 'Alice', aci: ALICE }],
  [0, 'server.connected', { device: `${ALICE}.1`, queued: 0 }],
  [0, 'sim.phone-added', { owner: 'Bob', aci: BOB }],
  [0, 'server.connected', { device: `${BOB}.1`, queued: 0 }],
  [0, 'sim.share', { phone: 'Alice', flow: 'stateless', format: 'digitalwallet.carkey.ccc' }],
  [0, 'fault.http-error', { rule: 1, from: ALICE, to: BOB }],
  [0, 'device.sent', { device: `${ALICE}.1`, to: BOB, ...invite, httpStatus: 503 }],
  [2000, 'server.queued', { from: `${ALICE}.1`, to: `${BOB}.1`, serverGuid: 'g1' }],
  [2000, 'fault.delay', { rule: 2, serverGuid: 'g1', delayMs: 2 * HOUR }],
  [2000, 'device.sent', { device: `${ALICE}.1`, to: BOB, ...invite, httpStatus: 200 }],
  [2000, 'app.event', { phone: 'Alice', event: { type: 'transfer', transferId: TRANSFER, role: 'sender', state: 'invited' } }],
  [2 * HOUR + 2000, 'server.delivered', { to: `${BOB}.1`, serverGuid: 'g1' }],
  [2 * HOUR + 2000, 'fault.drop-at-delivery', { rule: 3, serverGuid: 'g1' }],
  [2 * HOUR + 2000, 'server.disconnected', { device: `${BOB}.1` }],
  [2 * HOUR + 5 * 60_000, 'server.connected', { device: `${BOB}.1`, queued: 1 }],
  [2 * HOUR + 5 * 60_000, 'server.delivered', { to: `${BOB}.1`, serverGuid: 'g1' }],
  [2 * HOUR + 5 * 60_000, 'device.received', { device: `${BOB}.1`, from: `${ALICE}.1`, serverGuid: 'g1', ...invite }],
  [2 * HOUR + 5 * 60_000, 'app.event', { phone: 'Bob', event: { type: 'transfer', transferId: TRANSFER, role: 'receiver', state: 'provisioned' } }],
  [2 * HOUR + 5 * 60_000, 'server.queued', { from: `${BOB}.1`, to: `${ALICE}.1`, serverGuid: 'g2' }],
  [2 * HOUR + 5 * 60_000, 'fault.tamper', { rule: 4, serverGuid: 'g2' }],
  [2 * HOUR + 5 * 60_000, 'device.sent', { device: `${BOB}.1`, to: ALICE, message: 'TransferComplete', transferId: TRANSFER, httpStatus: 200 }],
  [2 * HOUR + 5 * 60_000, 'server.delivered', { to: `${ALICE}.1`, serverGuid: 'g2' }],
  [2 * HOUR + 5 * 60_000, 'device.decrypt-failed', { device: `${ALICE}.1`, from: `${BOB}.1`, serverGuid: 'g2' }],
  [2 * HOUR + 5 * 60_000, 'sim.failure', { message: 'Alice\'s phone reported <nothing> & "no" state\nsecond line' }],
);

const arrows = (rows: ReturnType<typeof exchangeOf>['rows']) => rows.filter((r): r is Arrow => r.type === 'arrow');

describe('the exchange read from a trace', () => {
  const exchange = exchangeOf({ events: story });

  it('has a lifeline per phone, named as in the story, and the server between the first phone and the others', () => {
    expect(exchange.lifelines).toEqual(["Alice's phone", 'Signal server', "Bob's phone"]);
    expect(exchange.server).toBe(1);
  });

  it('draws each send and each delivery with its message type and short transfer id, marking what the faults did', () => {
    const drawn = arrows(exchange.rows).map((a) => ({ from: a.from, to: a.to, label: a.label, transfer: a.transfer, marks: a.marks, lost: a.lost }));
    expect(drawn).toEqual([
      { from: 0, to: 1, label: 'ShareInvitation', transfer: '1234abcd', marks: ['http-error injected', 'HTTP 503'], lost: true },
      { from: 0, to: 1, label: 'ShareInvitation', transfer: '1234abcd', marks: ['delayed 2 h'], lost: false },
      { from: 1, to: 2, label: 'ShareInvitation', transfer: '1234abcd', marks: ['dropped on delivery'], lost: true },
      { from: 1, to: 2, label: 'ShareInvitation', transfer: '1234abcd', marks: [], lost: false },
      { from: 2, to: 1, label: 'TransferComplete', transfer: '1234abcd', marks: ['tampered (a bit flipped)'], lost: false },
      { from: 1, to: 0, label: 'TransferComplete', transfer: '1234abcd', marks: ['refused: does not decrypt'], lost: false },
    ]);
  });

  it("notes the story's acts, the apps' reports, the phone going offline and back, and the failure across the diagram", () => {
    const notes = exchange.rows.filter((r) => r.type === 'note').map((n) => [n.lane, n.text]);
    expect(notes).toEqual([
      [0, 'share (stateless, digitalwallet.carkey.ccc)'],
      [0, 'invited 1234abcd'],
      [2, 'offline'],
      [2, 'back online (1 waiting)'],
      [2, 'provisioned 1234abcd'],
      [undefined, 'failure: Alice\'s phone reported <nothing> & "no" state\nsecond line'],
    ]);
  });

  it('draws a reorder window released by a send after that send, and leaves out the phones going quiet as the scenario ends', () => {
    const { rows } = exchangeOf({
      events: trace(
        [0, 'sim.phone-added', { owner: 'Alice', aci: ALICE }],
        [0, 'sim.phone-added', { owner: 'Bob', aci: BOB }],
        [0, 'server.queued', { from: `${ALICE}.1`, to: `${BOB}.1`, serverGuid: 'g1' }],
        [0, 'fault.reorder', { rule: 1, serverGuid: 'g1', window: 2 }],
        [0, 'device.sent', { device: `${ALICE}.1`, to: BOB, ...invite, httpStatus: 200 }],
        [0, 'server.queued', { from: `${ALICE}.1`, to: `${BOB}.1`, serverGuid: 'g2' }],
        [0, 'fault.reorder', { rule: 1, serverGuid: 'g2', window: 2 }],
        [0, 'fault.reorder-released', { rule: 1, order: [1, 0] }],
        [0, 'device.sent', { device: `${ALICE}.1`, to: BOB, message: 'ShareCancel', transferId: TRANSFER, httpStatus: 200 }],
        [0, 'server.disconnected', { device: `${ALICE}.1` }],
        [0, 'server.disconnected', { device: `${BOB}.1` }],
      ),
    });
    expect(rows.map((r) => (r.type === 'arrow' ? `${r.label}: ${r.marks.join('; ')}` : r.text))).toEqual([
      'ShareInvitation: held to reorder (window of 2)',
      'ShareCancel: held to reorder (window of 2)',
      'reorder window released (order 1, 0)',
    ]);
  });

  it('puts a report on the device that made it, when the simulation says which (the trace names only the owner)', () => {
    const devices = new Map([[`${BOB}.2`, "Bob's tablet"]]);
    const reporters = new Map([[18, "Bob's tablet"]]);
    const { lifelines, rows } = exchangeOf({ events: story, devices, reporters });
    const provisioned = rows.find((r) => r.type === 'note' && r.text.startsWith('provisioned'))!;
    expect(lifelines[provisioned.type === 'note' ? provisioned.lane! : -1]).toBe("Bob's tablet");
  });
});

describe('the sequence diagram', () => {
  const svg = renderSequenceDiagram(exchangeOf({ events: story }), { title: 'Alice & Bob: <a story>' });
  const { root, texts } = readSvg(svg);
  const all = texts.join('\n');

  it('is well-formed SVG, its texts escaped', () => {
    expect(root).toBe('svg');
    expect(texts[0]).toBe('Alice & Bob: <a story>');
    // A failure across the diagram, wrapped: every line of it.
    expect(all).toContain('failure: Alice\'s phone reported <nothing> & "no" state\nsecond line');
  });

  it('names the lifelines at the top and the bottom', () => {
    for (const name of ["Alice's phone", 'Signal server', "Bob's phone"]) expect(texts.filter((t) => t === name)).toHaveLength(2);
  });

  it('labels each message with its type and transfer, each fault where it fired, and the simulated time where it moved', () => {
    expect(texts.filter((t) => t === 'ShareInvitation 1234abcd')).toHaveLength(4);
    expect(texts.filter((t) => t === 'TransferComplete 1234abcd')).toHaveLength(2);
    for (const mark of ['http-error injected; HTTP 503', 'delayed 2 h', 'dropped on delivery', 'tampered (a bit flipped)', 'refused: does not decrypt']) expect(texts).toContain(mark);
    // Each instant once, in order, relative to the first event; the start itself in the legend.
    expect(texts.filter((t) => t.startsWith('+'))).toEqual(['+0 s', '+2 s', '+2 h 2 s', '+2 h 5 min']);
    expect(all).toContain('simulated time from 2050-01-01T00:00:00.000Z');
  });

  it('crosses out the messages that were lost (the refused request, the dropped delivery)', () => {
    expect(svg.match(/<path d="M[^"]*M[^"]*"/g)).toHaveLength(2);
  });

  it('stays readable for a long exchange: fixed rows, names repeated along the way, and cheap', () => {
    const events: TraceEvent[] = [...story.slice(0, 4)];
    for (let i = 0; i < 60; i++) {
      const at = new Date(T0 + i * 60_000).toISOString();
      const guid = `long-${i}`;
      const [from, to, toAci] = i % 2 ? [`${BOB}.1`, `${ALICE}.1`, ALICE] : [`${ALICE}.1`, `${BOB}.1`, BOB];
      events.push({ seq: 0, at, kind: 'server.queued', from, to, serverGuid: guid }, { seq: 0, at, kind: 'device.sent', device: from, to: toAci, message: 'KeySigningRequest', transferId: TRANSFER, httpStatus: 200 });
      events.push({ seq: 0, at, kind: 'server.delivered', to, serverGuid: guid });
    }
    const started = performance.now();
    const long = renderSequenceDiagram(exchangeOf({ events }));
    const ms = performance.now() - started;
    const { texts: words } = readSvg(long);
    expect(words.filter((t) => t === 'KeySigningRequest 1234abcd')).toHaveLength(120);
    // 120 rows: the names at the top, every 30 rows, and at the bottom.
    expect(words.filter((t) => t === "Bob's phone")).toHaveLength(2 + 3);
    expect(words.filter((t) => t.startsWith('+'))).toHaveLength(60);
    expect(Number(/height="(\d+)"/.exec(long)![1])).toBeLessThan(120 * 40);
    expect(ms).toBeLessThan(200);
  });

  it('wraps a note across the diagram at spaces, to at most its number of lines', () => {
    expect(wrap('one two three four five six', 9, 3)).toEqual(['one two', 'three', 'four five six'.slice(0, 8) + '…']);
    expect(wrap('a\n\nb', 9, 3)).toEqual(['a', 'b']);
  });

  it('prints durations the way a reader says them, to the millisecond (two instants never print alike)', () => {
    expect([0, 250, 12_000, 5 * 60_000, 90 * 60_000 + 1500, 26 * HOUR].map(formatDuration)).toEqual(['0 s', '250 ms', '12 s', '5 min', '1 h 30 min 1 s 500 ms', '1 d 2 h']);
  });
});

describe('requirements in the report', () => {
  it("reads a scenario's requirement ids from its tags, each once", () => {
    expect(requirementIds(['@stateful', '@req=R-ONCE-1', '@req=R-IDEM-1', '@req=R-ONCE-1'])).toEqual(['R-ONCE-1', 'R-IDEM-1']);
  });

  it("heads a failure with the requirements' ids and short texts, unless it names a requirement already", () => {
    expect(withRequirements('expected 1, got 2', ['R-ONCE-1'])).toBe('R-ONCE-1 (A share is provisioned at most once, however often its messages arrive): expected 1, got 2');
    expect(withRequirements('x', ['R-ONCE-1', 'R-NOPE-9'])).toBe('R-ONCE-1 (A share is provisioned at most once, however often its messages arrive); R-NOPE-9 (not in the requirement catalog): x');
    const monitor = 'The protocol monitor found ...:\nINV-ONCE (R-ONCE-1): provisioned twice';
    expect(withRequirements(monitor, ['R-CANCEL-1'])).toBe(monitor);
    expect(withRequirements('x', [])).toBe('x');
  });

  it('shortens a requirement to its first sentence, never inside parentheses, at most 100 characters', () => {
    expect(shortText('Messages need not alternate: the same side may send.')).toBe('Messages need not alternate');
    expect(shortText('Device-list changes (a linked device: 409, 410) are handled. More.')).toBe('Device-list changes (a linked device: 409, 410) are handled');
    for (const r of REQUIREMENTS) expect(shortText(r.text).length, r.id).toBeLessThanOrEqual(101);
    expect(describeRequirement('R-CONF-1')).toBe('R-CONF-1 (The server in between never sees the credential in the clear)');
  });

  it("attaches a requirement's words and its sources', and lists every requirement at its anchor on the report's page", () => {
    const once = requirementAttachment('R-ONCE-1');
    expect(once).toContain('<section id="r-once-1"><h2>R-ONCE-1</h2><p><strong>MUST</strong>: A share is provisioned at most once, however often its messages arrive.</p>');
    expect(requirementAttachment('R-NOPE-9')).toContain('not in the requirement catalog');
    const page = requirementsPage();
    for (const r of REQUIREMENTS) expect(page).toContain(`<section id="${r.id.toLowerCase()}">`);
    expect(page).toContain('&#39;'); // the catalog's apostrophes, escaped
  });
});

describe('where a scenario sits in the Suites tab', () => {
  it('feature folder > feature > scenario', () => {
    expect(featureFolder('features/security/tampering.feature')).toBe('security');
    expect(featureFolder('features/a/b/c.feature')).toBe('a/b');
    expect(featureFolder('/tmp/sct-features-x/draft.feature')).toBe('sct-features-x');
    expect(placeLabels('features/security/tampering.feature', 'Tampering', 'A tampered message')).toEqual([
      { name: 'parentSuite', value: 'security' },
      { name: 'suite', value: 'Tampering' },
      { name: 'subSuite', value: 'A tampered message' },
      { name: 'epic', value: 'security' },
    ]);
  });

  it("a lost scenario's result (its process crashed) sits where its passing runs do, with the same requirement links", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sct-lost-'));
    const name = "Bob's phone provisions a <credential> bound to its own key and signed by Alice's phone";
    // An outline's example row: the scenario's tags are found through its examples.
    const row = readFileSync('features/provisioning/stateful.feature', 'utf8').split('\n').findIndex((l) => l.includes('| car key')) + 1;
    writeLostScenario(dir, { role: 'receiver', name, uri: 'features/provisioning/stateful.feature', line: row }, 'the app process died', 'npm run conformance -- ...', Date.now());
    const [file] = readdirSync(dir);
    const result = JSON.parse(readFileSync(join(dir, file!), 'utf8'));
    expect(result.labels).toEqual(expect.arrayContaining([
      { name: 'feature', value: 'Stateful provisioning' },
      { name: 'parentSuite', value: 'provisioning' },
      { name: 'suite', value: 'Stateful provisioning' },
      { name: 'subSuite', value: name },
    ]));
    expect(result.links.map((l: { url: string }) => l.url)).toEqual(['requirements.html#r-stateful-1', 'requirements.html#r-stateful-2', 'requirements.html#r-format-1']);
  });
});
