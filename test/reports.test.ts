/**
 * Reports that tell the truth: a broken rule is *failed* in Allure and a harness fault *broken*;
 * the replay command attached to a failed scenario is the CLI's and replays the failure; every
 * scenario's result carries its Suites place, its sequence diagram and its requirements' words.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failedScenarios, runCli } from './run-cli.ts';
import { readSvg } from './svg-xml.ts';
import { allureResults, attachmentsOf } from './allure-results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The text attachments Allure keeps for a test (Cucumber's `this.log`, in the After hook's container). */
function allureLogs(reports: string): string[] {
  const dir = join(reports, 'allure-results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-attachment') || f.endsWith('-attachment.txt'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** One run the first two tests share: stateless.feature's sender pass against an app that breaks R-VALID-1, and its HTML report. */
let violationRun: Promise<{ reports: string; code: number; output: string; report: { code: number; output: string } }> | undefined;
function violation() {
  violationRun ??= (async () => {
    const reports = mkdtempSync(join(tmpdir(), 'sct-allure-'));
    const { code, output } = await runCli(['--reports', reports, '--role', 'sender', '--adapter', 'src/fakes/faulty/omits-expiration.ts', 'features/provisioning/stateless.feature']);
    // `npm run report -- --reports <dir>` builds the HTML report from that folder, not from reports/.
    const report = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile('npm', ['run', '--silent', 'report', '--', '--reports', reports], { cwd: ROOT }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
    return { reports, code, output, report };
  })();
  return violationRun;
}

describe.concurrent('Allure results', () => {
  it('a requirement violation is failed, not broken', async () => {
    const { reports, code, output, report } = await violation();
    expect(code, output).toBe(1);
    const results = allureResults(reports);
    const notPassed = results.filter((r) => r.status !== 'passed');
    expect(notPassed.length).toBeGreaterThan(0);
    expect(notPassed.map((r) => r.status)).toEqual(notPassed.map(() => 'failed'));
    // Some scenarios fail on their own assertion first; the reference receiver's verdict names the requirement.
    expect(notPassed.map((r) => r.statusDetails?.message ?? '').join('\n')).toMatch(/broke R-VALID-1/);
    expect(report.code, report.output).toBe(0);
    expect(existsSync(join(reports, 'allure-report', 'index.html'))).toBe(true);
  }, 120_000);

  it("every scenario run carries its place, its sequence diagram and its requirements' words; every failure names a requirement", async () => {
    const { reports, report } = await violation();
    expect(report.code, report.output).toBe(0);
    const page = readFileSync(join(reports, 'allure-report', 'requirements.html'), 'utf8');
    const ran = allureResults(reports).filter((r) => r.status !== 'skipped');
    expect(ran.length).toBeGreaterThan(5);
    for (const result of ran) {
      const attached = attachmentsOf(reports, result.uuid);
      const read = (type: string) => attached.filter((a) => a.type === type).map((a) => readFileSync(join(reports, 'allure-results', a.source), 'utf8'));
      expect(result.labels).toEqual(expect.arrayContaining([{ name: 'parentSuite', value: 'provisioning' }, { name: 'suite', value: 'Stateless provisioning' }, { name: 'subSuite', value: result.name }]));
      expect(result.parameters).toContainEqual({ name: 'app under test', value: 'sender' });
      // The diagram: well-formed SVG whose lifelines name every phone the scenario's trace set up.
      const [svg] = read('image/svg+xml');
      expect(svg, result.name).toBeDefined();
      const { root, texts } = readSvg(svg!);
      expect(root).toBe('svg');
      const [trace] = read('application/json').map((t) => JSON.parse(t) as Array<{ kind: string; owner?: string }>);
      const phones = trace!.filter((e) => e.kind === 'sim.phone-added').map((e) => `${e.owner}'s phone`);
      expect(phones.length).toBeGreaterThan(0);
      for (const phone of phones) expect(texts, `${result.name}: ${phone}`).toContain(phone);
      // Each requirement link opens its words on the page beside the report, and they are attached too.
      const ids = result.links.filter((l) => l.type === 'requirement').map((l) => l.url.replace('requirements.html#', ''));
      expect(ids.length, result.name).toBeGreaterThan(0);
      for (const id of ids) expect(page).toContain(`<section id="${id}">`);
      expect(read('text/html').map((html) => /<section id="([^"]+)">/.exec(html)?.[1])).toEqual(ids);
      // Here every failure is a check or the reference app's verdict: each names a requirement.
      if (result.status === 'failed') expect(result.statusDetails?.message, result.name).toMatch(/\bR-[A-Z]+-\d+\b/);
    }
    // The scenarios' own assertions too, not only the reference app's verdicts, name the requirement checked.
    expect(ran.filter((r) => r.status === 'failed').map((r) => r.statusDetails?.message ?? '').join('\n')).toMatch(/^AssertionError[^:]*: R-[A-Z]+-\d+ \(/m);
  }, 120_000);

  it('a harness fault is broken, and the run exits 3', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'sct-allure-'));
    const dir = mkdtempSync(join(tmpdir(), 'sct-features-'));
    writeFileSync(
      join(dir, 'author-error.feature'),
      "Feature: broken by its author\n  Scenario: Zed is nobody\n    Given Alice and Bob have phones with the credential app, on Signal\n    When Zed's phone comes back online\n",
    );
    const { code, output } = await runCli(['--reports', reports, '--role', 'sender', dir]);
    expect(code, output).toBe(3);
    expect(output).toMatch(/why \(a harness error, not the app\): Error: Zed has no phone in this scenario/);
    expect(output).toMatch(/^harness errors: 1 scenario\(s\) broken by the harness, not the app: the verdict is incomplete$/m);
    expect(output).toMatch(/^conformance: 0 passed, 1 failed, 0 skipped$/m);
    expect(allureResults(reports).map((r) => r.status)).toEqual(['broken']);
  });

  it('the replay command attached to a failed scenario is the one the CLI prints, and it replays exactly that failure', async () => {
    // Names with parentheses and quotes: the command must escape and anchor them.
    const reports = mkdtempSync(join(tmpdir(), 'sct-allure-'));
    const adapter = 'src/fakes/faulty/silent-on-malformed.ts';
    // Its expected-failures list (beside it) would count these failures apart: the run ignores it, and so do the replays.
    const { code, output } = await runCli(['--reports', reports, '--seed', '11', '--adapter', adapter, '--expected-failures', 'none', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(1);
    const printed = [...output.matchAll(/^ {4}replay: (.*)$/gm)].map((m) => m[1]!);
    expect(printed).toHaveLength(5);
    const attached = allureLogs(reports).filter((text) => text.startsWith('Replay this scenario: ')).map((text) => text.replace('Replay this scenario: ', '').trim());
    expect(attached.sort()).toEqual([...printed].sort());
    const command = printed.find((c) => c.includes('tomorrow'))!;
    expect(command).toContain(`--role receiver --expected-failures none --adapter ${adapter} --name '^A malformed invitation \\(with an expiration of "tomorrow"\\) is answered as malformed and nothing is provisioned$' features/provisioning/stateless.feature:`);

    const again = mkdtempSync(join(tmpdir(), 'sct-replay-'));
    const replay = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile('bash', ['-c', `${command} --quiet --reports ${again}`], { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '' } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
    expect(replay.code, replay.output).toBe(1);
    expect(replay.output).toMatch(/^sct-conformance: seed 11 .*, 1 scenario run\(s\)$/m);
    expect(failedScenarios(replay.output)).toEqual(['A malformed invitation (with an expiration of "tomorrow") is answered as malformed and nothing is provisioned']);
  }, 120_000);
});
