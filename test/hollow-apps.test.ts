/**
 * Green must mean the app was checked. Two hollow apps run the whole suite, in the default passes
 * (the app under test as sender, then as receiver) and with the app under test on every phone
 * (`--role both`): one that does nothing at all, one that sends nothing and only reports (for its
 * peer too, through state shared between its instances). Every scenario in which the app under
 * test has something to do must fail against both.
 */
import { describe, expect, it } from 'vitest';
import { runCliWithPassed } from './run-cli.ts';

const HOLLOW_APPS = ['does-nothing', 'reports-only'];
const PASSES: Array<[string, string[]]> = [
  ['sender and receiver passes', []],
  ['every phone (--role both)', ['--role', 'both']],
];

describe.concurrent('hollow apps fail every scenario in which they have something to do', () => {
  const cases = HOLLOW_APPS.flatMap((app) => PASSES.map(([pass, args]) => [app, pass, args] as const));
  it.each(cases)('%s, %s', async (app, _pass, args) => {
    const { code, output, passed } = await runCliWithPassed(['--adapter', `src/fakes/faulty/${app}.ts`, '--seed', '5', ...args]);
    expect(code, output).toBe(1);
    expect(passed, output).toEqual([]);
    expect(output).toMatch(/^conformance: \d+ passed, [1-9]\d* failed, 0 skipped$/m);
  });
});

describe('the control', () => {
  it('the reference app passes every scenario with itself on every phone (--role both)', async () => {
    const { code, output, passed } = await runCliWithPassed(['--seed', '5', '--role', 'both']);
    expect(code, output).toBe(0);
    expect(passed.length).toBeGreaterThan(40);
    expect(output.trimEnd().split('\n').at(-1)).toBe(`conformance: ${passed.length} passed, 0 failed, 0 skipped`);
  });
});
