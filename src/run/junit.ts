/**
 * JUnit XML for CI systems, written by the supervising process from the run's own verdict.
 *
 * Cucumber's junit formatter, run in the child process, could not give CI a complete set: it wrote
 * one file per pass and child process, left an empty (not well-formed) file when the app took its
 * process down, so the scenarios of that process were in no file at all, named the sender and
 * receiver passes of a scenario alike, and counted an expected failure as a failure. The
 * supervisor knows every planned scenario run's outcome, lost ones included, so it writes:
 *
 * - `junit-<role>.xml`, one per pass: every planned scenario run of that pass exactly once, named
 *   `[<role>] <scenario>`, grouped in one `<testsuite>` per feature. A failure (the app's) is a
 *   `<failure>`, a harness fault or a step that does not bind an `<error>`, each carrying the
 *   message and the replay command; a skip, and an expected failure (with its reason), `<skipped>`.
 * - `junit-run.xml`, only when something failed outside any scenario (app code between scenarios,
 *   the harness itself), one test case each, so that the failures and errors in the files are the
 *   closing line's failed count (plus one error per harness fault outside any scenario).
 *
 * Earlier `junit-*.xml` files in the folder are removed first: a CI glob must not pick up a stale one.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Role } from '../roles.ts';
import type { ScenarioStatus } from './messages.ts';
import { readFeature, type PlannedScenario } from './plan.ts';
import { escapeXml } from '../report/xml.ts';

/** One planned scenario run and how it ended. */
export interface JUnitCase {
  scenario: PlannedScenario;
  status: ScenarioStatus;
  message?: string;
  /** Real milliseconds it took, when known. */
  ms?: number;
  /** The reason it is on the expected-failures list (it failed as expected). */
  expected?: string;
  /** The command that replays it alone (shown with a failure). */
  replay?: string;
}

export interface JUnitRun {
  /** Feature files are read (for their names) relative to this folder. */
  root: string;
  cases: JUnitCase[];
  /** App code that failed outside any scenario. */
  strays?: string[];
  /** The harness failing outside any scenario. */
  harnessErrors?: string[];
  /** Added to suite names: the app in a run of several, or an interop pair. */
  label?: string;
}

/** Writes the run's JUnit files into `dir`; returns their names. */
export function writeJUnit(dir: string, run: JUnitRun): string[] {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) if (/^junit-.*\.xml$/.test(file)) rmSync(join(dir, file), { force: true });
  const featureName = featureNames(run.root);
  const suffix = run.label ? ` (${run.label})` : '';
  const written: string[] = [];
  const roles = [...new Set(run.cases.map((c) => c.scenario.role))];
  for (const role of roles) {
    const cases = run.cases.filter((c) => c.scenario.role === role);
    const names = uniqueNames(role, cases);
    const features = [...new Set(cases.map((c) => c.scenario.uri))];
    const suites = features.map((uri) => {
      const feature = featureName(uri);
      const inFeature = cases.filter((c) => c.scenario.uri === uri);
      return suite(`${feature} [${role}]${suffix}`, uri, inFeature.map((c) => testCase(names.get(c)!, feature, c)));
    });
    const file = `junit-${role}.xml`;
    writeFileSync(join(dir, file), document(`sct-conformance [${role}]${suffix}`, suites));
    written.push(file);
  }
  const outside = [
    ...(run.strays ?? []).map((message, i) => ({ name: `app code failed outside any scenario #${i + 1}`, kind: 'failure' as const, xml: element('failure', 'outside-scenario', message) })),
    ...(run.harnessErrors ?? []).map((message, i) => ({ name: `harness error #${i + 1}`, kind: 'error' as const, xml: element('error', 'harness', message) })),
  ];
  if (outside.length) {
    const cases = outside.map((o) => ({ xml: `    <testcase name="${attr(o.name)}" classname="sct-conformance" time="0">\n${o.xml}    </testcase>\n`, ...tally(o.kind) }));
    writeFileSync(join(dir, 'junit-run.xml'), document(`sct-conformance: outside any scenario${suffix}`, [suite(`outside any scenario${suffix}`, undefined, cases)]));
    written.push('junit-run.xml');
  }
  return written;
}

interface RenderedCase {
  xml: string;
  failures: number;
  errors: number;
  skipped: number;
  seconds?: number;
}

interface RenderedSuite extends RenderedCase {
  tests: number;
}

function testCase(name: string, feature: string, c: JUnitCase): RenderedCase {
  const s = c.scenario;
  const seconds = c.ms === undefined ? 0 : c.ms / 1000;
  const withReplay = (text: string) => (c.replay ? `${text}\n\nReplay this scenario: ${c.replay}` : text);
  // An expected failure is skipped, as pytest does an xfail: it does not fail the run either.
  const [kind, inner]: [Kind, string] =
    c.expected !== undefined
      ? ['skipped', `      <skipped type="expected-failure" message="${attr(`Expected failure (${c.expected}): ${firstLine(c.message ?? '')}`)}"/>\n`]
      : c.status === 'failed'
        ? ['failure', element('failure', 'failed', withReplay(c.message ?? 'failed'))]
        : c.status === 'broken'
          ? ['error', element('error', 'harness', withReplay(c.message ?? 'broken by the harness'))]
          : c.status === 'unbound'
            ? ['error', element('error', 'unbound', c.message ?? 'a step does not bind')]
            : c.status === 'skipped'
              ? ['skipped', `      <skipped${c.message ? ` message="${attr(c.message)}"` : ''}/>\n`]
              : [undefined, ''];
  const open = `    <testcase name="${attr(name)}" classname="${attr(feature)}" file="${attr(s.uri)}" line="${s.line}" time="${seconds.toFixed(3)}"`;
  return { xml: inner ? `${open}>\n${inner}    </testcase>\n` : `${open}/>\n`, ...tally(kind), seconds };
}

/** What a test case is in JUnit's terms: a failure (the app's), an error (not the app's), a skip, or a pass. */
type Kind = 'failure' | 'error' | 'skipped' | undefined;

/** A `<failure>` or `<error>`: its first line as the message attribute, the whole text as its body. */
function element(tag: 'failure' | 'error', type: string, text: string): string {
  return `      <${tag} type="${type}" message="${attr(firstLine(text))}">${body(text)}</${tag}>\n`;
}

function tally(kind: Kind) {
  return { failures: kind === 'failure' ? 1 : 0, errors: kind === 'error' ? 1 : 0, skipped: kind === 'skipped' ? 1 : 0 };
}

function suite(name: string, file: string | undefined, cases: RenderedCase[]): RenderedSuite {
  const sum = (key: 'failures' | 'errors' | 'skipped') => cases.reduce((n, c) => n + c[key], 0);
  const seconds = cases.reduce((n, c) => n + (c.seconds ?? 0), 0);
  const counts = { tests: cases.length, failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped') };
  const open = `  <testsuite name="${attr(name)}"${file ? ` file="${attr(file)}"` : ''} tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds.toFixed(3)}">\n`;
  return { xml: `${open}${cases.map((c) => c.xml).join('')}  </testsuite>\n`, ...counts, seconds };
}

function document(name: string, suites: RenderedSuite[]): string {
  const sum = (key: 'tests' | 'failures' | 'errors' | 'skipped') => suites.reduce((n, s) => n + s[key], 0);
  const seconds = suites.reduce((n, s) => n + (s.seconds ?? 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${attr(name)}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${seconds.toFixed(3)}">\n${suites.map((s) => s.xml).join('')}</testsuites>\n`;
}

/** `[<role>] <name>`; two runs of one pass with the same name (outline rows alike) get their line too. */
function uniqueNames(role: Role, cases: JUnitCase[]): Map<JUnitCase, string> {
  const base = (c: JUnitCase) => `[${role}] ${c.scenario.name}`;
  const seen = new Map<string, number>();
  for (const c of cases) seen.set(base(c), (seen.get(base(c)) ?? 0) + 1);
  return new Map(cases.map((c) => [c, seen.get(base(c))! > 1 ? `${base(c)} (${c.scenario.uri}:${c.scenario.line})` : base(c)]));
}

/** A feature's name from its file (read once), else its path. */
function featureNames(root: string): (uri: string) => string {
  const names = new Map<string, string>();
  return (uri) => {
    if (!names.has(uri)) {
      let name = '';
      try {
        name = readFeature(resolve(root, uri)).feature?.name.trim() ?? '';
      } catch {
        // A file that does not parse never got this far (the plan refuses it); its path will do.
      }
      names.set(uri, name || uri);
    }
    return names.get(uri)!;
  };
}

const firstLine = (text: string) => clean(text).split('\n').find((l) => l.trim())?.trim() ?? '';

/** Without terminal colours and the characters XML 1.0 cannot carry (an app's message may hold anything). */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
}

/** An attribute value: escaped, and its line breaks and tabs kept as character references (a parser would fold them to spaces). */
function attr(text: string): string {
  return escapeXml(clean(text)).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function body(text: string): string {
  return escapeXml(clean(text));
}
