/**
 * CI at scale: `run --shard i/n` splits a run so that the shards together are exactly the whole
 * run; each shard's JUnit set names every scenario run it ran, once, lost ones included; and
 * `report --merge` turns the shards' results into one Allure report with the previous report's
 * history. The example GitHub Actions workflow (examples/ci/) is valid for GitHub's schema.
 *
 * JUnit files are read with Python's XML parser (python3 is already needed by the Python
 * example's test): a file that is not well-formed fails the test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/run/exit-codes.ts';
import { planRun, type PlannedScenario } from '../src/run/plan.ts';
import { parseShard, selectShard } from '../src/run/shard.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CLI as CI runs it; `args` start with the command (run, report). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['bin/sct-conformance.js', ...args], { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    ),
  );
}

const closing = (output: string) => {
  const m = /^conformance: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(output);
  if (!m) throw new Error(`no closing line in:\n${output}`);
  return { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
};

interface ParsedCase {
  file: string;
  name: string;
  uri: string | null;
  line: string | null;
  failure: { message: string; text: string } | null;
  error: { message: string; text: string } | null;
  skipped: boolean;
}

const PARSE_JUNIT = `
import sys, json, os, xml.etree.ElementTree as ET
def detail(e):
    return None if e is None else {'message': e.get('message'), 'text': e.text or ''}
cases = []
for path in sys.argv[1:]:
    for case in ET.parse(path).getroot().iter('testcase'):
        cases.append({'file': os.path.basename(path), 'name': case.get('name'), 'uri': case.get('file'), 'line': case.get('line'),
                      'failure': detail(case.find('failure')), 'error': detail(case.find('error')), 'skipped': case.find('skipped') is not None})
print(json.dumps(cases))
`;

/** Every test case of the folder's junit-*.xml files, parsed by a real XML parser (throws on a file that is not well-formed). */
function junitCases(dir: string): ParsedCase[] {
  const files = readdirSync(dir).filter((f) => /^junit-.*\.xml$/.test(f)).map((f) => join(dir, f));
  if (!files.length) return [];
  return JSON.parse(execFileSync('python3', ['-c', PARSE_JUNIT, ...files], { encoding: 'utf8' })) as ParsedCase[];
}

const key = (s: PlannedScenario) => `${s.role} ${s.uri}:${s.line}`;
/** The scenario run a JUnit test case stands for: its pass from its name, its location from its attributes. */
const caseKey = (c: ParsedCase) => `${/^\[(\w+)\] /.exec(c.name)?.[1]} ${c.uri}:${c.line}`;

function traces(reports: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const role of readdirSync(join(reports, 'traces'))) {
    for (const file of readdirSync(join(reports, 'traces', role))) found.set(`${role}/${file}`, readFileSync(join(reports, 'traces', role, file), 'utf8'));
  }
  return found;
}

describe.concurrent('shards', () => {
  it('deal the plan out: n shards are the whole plan, none twice, within one of each other in size, whatever order the plan came in', async () => {
    const plan = await planRun({ paths: [], roles: ['sender', 'receiver'] }, ROOT);
    for (const count of [2, 3, 4]) {
      const shards = Array.from({ length: count }, (_, i) => selectShard(plan, { index: i + 1, count }));
      const keys = shards.flatMap((shard) => shard.map(key));
      expect(new Set(keys).size, 'no scenario run in two shards').toBe(keys.length);
      expect([...keys].sort()).toEqual(plan.map(key).sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // The same shard from the plan in another order (Cucumber's listing is not a contract), in plan order.
      for (const [i, shard] of shards.entries()) expect(selectShard([...plan].reverse(), { index: i + 1, count }).map(key).reverse()).toEqual(shard.map(key));
    }
  });

  it('refuse bad --shard values, naming the problem (exit 2)', async () => {
    for (const bad of ['0/2', '3/2', 'x', '1/0', '1/2/3', '', '-1/2']) expect(() => parseShard(bad), bad).toThrow(UsageError);
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
    const one: PlannedScenario[] = [{ role: 'sender', name: 'alone', uri: 'features/x.feature', line: 3 }];
    expect(() => selectShard(one, { index: 2, count: 2 })).toThrow(/shard 2 of 2 has no scenario: the selection has only 1 scenario run\(s\), so use at most 1 shard/);
    expect(() => parseShard('0/2')).toThrow('--shard "0/2": the shard must be between 1 and 2');
    expect(() => parseShard('3/2')).toThrow('--shard "3/2": the shard must be between 1 and 2');
    expect(() => parseShard('x')).toThrow('--shard "x" is not of the form i/n');
    // The CLI's exit code for them (each process costs a second: one is enough to show the wiring).
    const run = await cli(['run', '--quiet', '--shard', '3/2', 'features/provisioning/stateless.feature']);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toMatch(/^sct-conformance: --shard "3\/2": the shard must be between 1 and 2/m);
    expect(run.output).toMatch(/^conformance: 0 passed, 0 failed, 0 skipped$/m);
  });

  it("two shards: the unsharded run's totals and verdicts, every scenario run in one shard's JUnit, the same traces, one merged report with history", async ({ onTestFinished }) => {
    const work = mkdtempSync(join(tmpdir(), 'sct-shards-'));
    onTestFinished(() => rmSync(work, { recursive: true, force: true }));
    const [one, two, full, prev, out] = ['shard-1', 'shard-2', 'full', 'previous', 'merged'].map((d) => join(work, d)) as [string, string, string, string, string];
    // Every fault kind and every forgery: enough to show the split, at a fraction of the whole suite's cost.
    const features = ['features/transport', 'features/security'];
    const whole = await planRun({ paths: features, roles: ['sender', 'receiver'] }, ROOT);
    const [first, second, unsharded] = await Promise.all([
      cli(['run', '--quiet', '--seed', '7', '--shard', '1/2', '--reports', one, ...features]),
      cli(['run', '--quiet', '--seed', '7', '--shard', '2/2', '--reports', two, ...features]),
      cli(['run', '--quiet', '--seed', '7', '--reports', full, ...features]),
    ]);
    expect(closing(unsharded.output).passed, unsharded.output).toBeGreaterThan(0);
    expect(Math.max(first.code, second.code), first.output + second.output).toBe(unsharded.code);
    const verdicts = (cases: ParsedCase[]) => new Map(cases.map((c) => [caseKey(c), c.failure ? 'failed' : c.error ? 'error' : c.skipped ? 'skipped' : 'passed']));
    const fullVerdicts = verdicts(junitCases(full));
    expect([...fullVerdicts.keys()].sort()).toEqual(whole.map(key).sort());
    for (const [i, run] of [first, second].entries()) {
      const mine = selectShard(whole, { index: i + 1, count: 2 });
      expect(run.output.split('\n')[0]).toMatch(new RegExp(`, shard ${i + 1} of 2 \\(${whole.length} scenario runs in all\\), ${mine.length} scenario run\\(s\\)$`));
      const counts = closing(run.output);
      expect(counts.passed + counts.failed + counts.skipped, run.output).toBe(mine.length);
      // Its JUnit set: exactly its scenario runs, each once, named with its pass, each with the unsharded run's verdict.
      const cases = junitCases([one, two][i]!);
      expect(cases.map(caseKey).sort()).toEqual(mine.map(key).sort());
      for (const [k, verdict] of verdicts(cases)) expect(verdict, k).toBe(fullVerdicts.get(k));
    }
    const sum = (key: 'passed' | 'failed' | 'skipped') => closing(first.output)[key] + closing(second.output)[key];
    expect({ passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') }).toEqual(closing(unsharded.output));
    const junitKeys = [...junitCases(one), ...junitCases(two)].map(caseKey);
    expect(new Set(junitKeys).size, 'no scenario run in both shards').toBe(junitKeys.length);
    expect(junitKeys.sort()).toEqual(whole.map(key).sort());

    // A scenario's data comes from the seed and the scenario, not from the shard that ran it.
    const sharded = new Map([...traces(one), ...traces(two)]);
    const alone = traces(full);
    expect(alone.size).toBeGreaterThanOrEqual(40);
    expect([...sharded.keys()].sort()).toEqual([...alone.keys()].sort());
    for (const [file, trace] of alone) expect(sharded.get(file), file).toBe(trace);

    // The previous report's history: one earlier build of 3 scenarios.
    mkdirSync(join(prev, 'history'), { recursive: true });
    writeFileSync(join(prev, 'history', 'history-trend.json'), JSON.stringify([{ buildOrder: 1, data: { failed: 1, broken: 0, skipped: 0, passed: 2, unknown: 0, total: 3 } }]));
    const report = await cli(['report', '--merge', one, two, '--reports', out, '--history', prev]);
    expect(report.code, report.output).toBe(0);
    expect(report.output).toContain(`report: merged ${whole.length} scenario result(s)`);
    const results = readdirSync(join(out, 'allure-results')).filter((f) => f.endsWith('-result.json'));
    const runs = results.map((f) => (JSON.parse(readFileSync(join(out, 'allure-results', f), 'utf8')) as { historyId: string }).historyId);
    expect(results.length).toBe(whole.length);
    expect(new Set(runs).size).toBe(whole.length);
    const summary = JSON.parse(readFileSync(join(out, 'allure-report', 'widgets', 'summary.json'), 'utf8')) as { statistic: Record<string, number> };
    expect(summary.statistic).toMatchObject({ total: whole.length, passed: closing(unsharded.output).passed });
    const trend = JSON.parse(readFileSync(join(out, 'allure-report', 'history', 'history-trend.json'), 'utf8')) as Array<{ data: { total: number } }>;
    expect(trend.map((t) => t.data.total)).toEqual([whole.length, 3]);
    const environment = readFileSync(join(out, 'allure-results', 'environment.properties'), 'utf8');
    expect(environment).toMatch(/^seed=7$/m);
    expect(environment).toMatch(/^shard=1 of 2, 2 of 2$/m);

    // The same shard given twice is refused, not reported as retries.
    const twice = await cli(['report', '--merge', one, join(one, 'allure-results'), '--reports', join(work, 'twice')]);
    expect(twice.code, twice.output).toBe(2);
    expect(twice.output).toMatch(/are the same results folder/);
    // A scenario run in two folders (here: shard 1's results under new names) is refused too.
    const copy = join(work, 'copy');
    mkdirSync(copy);
    for (const f of readdirSync(join(one, 'allure-results')).filter((f) => f.endsWith('-result.json'))) copyFileSync(join(one, 'allure-results', f), join(copy, `copy-${f}`));
    const overlap = await cli(['report', '--merge', one, copy, '--reports', join(work, 'overlap')]);
    expect(overlap.code, overlap.output).toBe(2);
    expect(overlap.output).toMatch(/ran in both .*shard-1 and .*copy: shards of one run never overlap/);
  }, 120_000);

  it('a scenario lost with its process (the app killed it) is in the JUnit set, failed with the reason and its replay line; stale JUnit files go', async ({ onTestFinished }) => {
    const reports = mkdtempSync(join(tmpdir(), 'sct-junit-'));
    onTestFinished(() => rmSync(reports, { recursive: true, force: true }));
    // Cucumber's own junit formatter left files like this one, empty, for the process the app killed.
    writeFileSync(join(reports, 'junit-sender-2.xml'), '');
    const { code, output } = await cli(
      ['run', '--quiet', '--seed', '5', '--reports', reports, '--adapter', 'test/fixtures/adapters/misbehaves.ts', '--name', 'provisions a shared car key', 'features/provisioning/stateless.feature'],
      { SCT_MISBEHAVIOUR: 'kill-in-share' },
    );
    expect(code, output).toBe(1);
    expect(closing(output)).toEqual({ passed: 1, failed: 1, skipped: 0 });
    expect(readdirSync(reports).filter((f) => f.startsWith('junit-')).sort()).toEqual(['junit-receiver.xml', 'junit-sender.xml']);
    const cases = junitCases(reports);
    expect(cases.map((c) => c.name).sort()).toEqual(["[receiver] Bob's phone provisions a shared car key exactly once", "[sender] Bob's phone provisions a shared car key exactly once"]);
    const lost = cases.find((c) => c.name.startsWith('[sender]'))!;
    expect(lost.failure?.message).toMatch(/^the process running the scenario ended \(signal SIGKILL\) before the scenario finished/);
    expect(lost.failure?.text).toMatch(/Replay this scenario: SCT_SEED=5 npm run conformance -- --role sender .*stateless\.feature:20$/);
    expect(cases.find((c) => c.name.startsWith('[receiver]'))).toMatchObject({ failure: null, error: null, skipped: false });
    // The counts CI systems read first.
    expect(readFileSync(join(reports, 'junit-sender.xml'), 'utf8')).toMatch(/<testsuites name="sct-conformance \[sender\]" tests="1" failures="1" errors="0" skipped="0"/);
  }, 120_000);

  it('the example GitHub Actions workflow is valid for GitHub and runs every shard it declares', () => {
    const workflow = readFileSync(join(ROOT, 'examples/ci/github-actions.yml'), 'utf8');
    expect(validateWorkflow(workflow).errors).toEqual([]);
    // The validator refuses a broken workflow (so the check above can fail): a misspelt key.
    expect(validateWorkflow(workflow.replace('runs-on:', 'runs_on:')).errors.length).toBeGreaterThan(0);
    // The matrix lists shards 1..n, and the run names the same n.
    const shards = /shard: \[([\d, ]+)\]/.exec(workflow)![1]!.split(',').map(Number);
    const count = Number(/--shard \$\{\{ matrix\.shard \}\}\/(\d+)/.exec(workflow)?.[1]);
    expect(shards).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Written for a project that installed the package, one seed for every shard, merged into one report.
    expect(workflow).toMatch(/npx sct-conformance run --adapter \S+ --seed \$\{\{ github\.run_number \}\} --shard/);
    expect(workflow).toMatch(/npx sct-conformance report --merge shards\/conformance-shard-\* --history previous --reports reports/);
    expect(workflow).not.toMatch(/npm run (conformance|report)/);
  });
});
