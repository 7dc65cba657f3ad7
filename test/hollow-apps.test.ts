/**
 * Green must mean the app was checked. Two hollow apps run the whole suite, in the default passes
 * (the app under test as sender, then as receiver) and with the app under test on every phone
 * (`--role both`): one that does nothing at all, one that sends nothing and only reports (for its
 * peer too, through state shared between its instances). Every scenario in which the app under
 * test has something to do must fail against both.
 *
 * Both hollow apps go in one run per pass (`--adapter` twice: one CLI start; the app that does
 * nothing first, so the other gets a process it left as it found it, as one scenario leaves the
 * next), JUnit only: the verdicts are all these tests read.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allureResults, bodyAttachments } from './allure-results.ts';
import { passedScenarios, runCliWithReports } from './run-cli.ts';
import { readSvg } from './svg-xml.ts';

/** Each Allure result's name and its sequence diagrams (the SVG attachments of its test body). */
function diagrams(reports: string): Array<{ name: string; svgs: string[] }> {
  return allureResults(reports).map((result) => ({
    name: result.name,
    svgs: bodyAttachments(result)
      .filter((a) => a.type === 'image/svg+xml')
      .map((a) => readFileSync(join(reports, 'allure-results', a.source), 'utf8')),
  }));
}

const HOLLOW_APPS = ['does-nothing', 'reports-only'].map((app) => `src/fakes/faulty/${app}.ts`);
const PASSES: Array<[string, string[]]> = [
  ['sender and receiver passes', []],
  ['every phone (--role both)', ['--role', 'both']],
];

/** Both hollow apps in one run of a pass, started by the first test that needs it: the output, and the scenarios each app passed (its JUnit in <reports>/<app>). */
const runs = new Map<string, Promise<{ code: number; output: string; passed: Map<string, string[]> }>>();
const hollowRun = (pass: string, args: string[]) => {
  if (!runs.has(pass)) {
    const adapters = HOLLOW_APPS.flatMap((app) => ['--adapter', app]);
    runs.set(pass, runCliWithReports([...adapters, '--seed', '5', '--report', 'junit', ...args], {}, (reports) => new Map(HOLLOW_APPS.map((app) => [app, passedScenarios(join(reports, basename(app, '.ts')))]))));
  }
  return runs.get(pass)!;
};

describe.concurrent('hollow apps fail every scenario in which they have something to do', () => {
  const cases = HOLLOW_APPS.flatMap((app) => PASSES.map(([pass, args]) => [app, pass, args] as const));
  it.each(cases)('%s, %s', async (app, pass, args) => {
    const { code, output, passed } = await hollowRun(pass, args);
    expect(code, output).toBe(1);
    const block = output.split(/^== app: /m).find((b) => b.startsWith(`${app} (reports in `));
    expect(block, output).toBeDefined();
    expect(passed.get(app), block).toEqual([]);
    const closing = block!.split('\n').find((line) => line.startsWith(`conformance [${app}]: `));
    expect(closing, block).toMatch(/: \d+ passed, [1-9]\d* failed, 0 skipped$/);
  });
});

describe('the control', () => {
  it('the reference app passes every scenario with itself on every phone (--role both), and every scenario has its sequence diagram', async () => {
    const { code, output, passed } = await runCliWithReports(['--seed', '5', '--role', 'both'], {}, (reports) => ({ names: passedScenarios(reports), diagrams: diagrams(reports) }));
    expect(code, output).toBe(0);
    expect(passed.names.length).toBeGreaterThan(40);
    expect(output.trimEnd().split('\n').at(-1)).toBe(`conformance: ${passed.names.length} passed, 0 failed, 0 skipped`);
    // The diagram renders for every scenario of the suite: one well-formed SVG each (test/reports.test.ts checks what it shows).
    expect(passed.diagrams).toHaveLength(passed.names.length);
    for (const { name, svgs } of passed.diagrams) {
      expect(svgs, name).toHaveLength(1);
      expect(readSvg(svgs[0]!).root, name).toBe('svg');
    }
  });
});
