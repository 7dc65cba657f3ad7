/**
 * The exit code is the product's promise to CI: each way a run used to end green without
 * checking anything, or die without a verdict, now ends with a non-zero exit, a line naming the
 * cause, and the closing line. Run through the CLI in a child process, as CI runs it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedScenarios, runCli } from './run-cli.ts';

const CLOSING = /^conformance: \d+ passed, \d+ failed, \d+ skipped$/m;
const closingLine = (output: string) => output.trimEnd().split('\n').at(-1)!;

function featureDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sct-features-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD = `Feature: fine
  Scenario: Bob's phone provisions it
    Given Alice and Bob have phones with the credential app, on Signal
    When Alice shares a car key with Bob
    Then Bob's phone provisions the car key exactly once
`;

// Independent runs, most of them waiting (a load limit, a process start): side by side.
describe.concurrent('a run that would check nothing is a usage error (exit 2)', () => {
  it('a feature file with a syntax error names the file and line, and runs nothing else', async () => {
    const dir = featureDir({ 'good.feature': GOOD, 'broken.feature': 'Feature: broken\n  Scenario: a\n    Given x\n  Sceanrio: typo\n' });
    const { code, output } = await runCli([dir]);
    expect(code, output).toBe(2);
    expect(output).toMatch(/broken\.feature:4: expected: .*got 'Sceanrio: typo'/);
    expect(output).toMatch(CLOSING);
  });

  it('an outline row with the wrong number of cells names the file and line', async () => {
    const dir = featureDir({ 'outline.feature': 'Feature: o\n  Scenario Outline: s <n>\n    Given x <n>\n    Examples:\n      | n |\n      | 1 | 2 |\n' });
    const { code, output } = await runCli([dir]);
    expect(code, output).toBe(2);
    expect(output).toContain('outline.feature:6: inconsistent cell count within the table');
  });

  it.each([
    [['--name', 'teleports'], /no scenario in features matches --name "teleports": nothing was run/],
    [['--tags', '@req=R-NOPE-1'], /no scenario in features matches --tags "@req=R-NOPE-1"/],
    [['--role', 'sender', '--name', 'The same invitation sent twice'], /matches --name .* and --role sender \(which leaves out @receiver-only\)/],
    [['features/no-such.feature'], /features\/no-such\.feature does not exist/],
  ])('%j selects nothing and says which filter left nothing', async (args, message) => {
    const { code, output } = await runCli(args);
    expect(code, output).toBe(2);
    expect(output).toMatch(message);
    expect(output).toMatch(/^conformance: 0 passed, 0 failed, 0 skipped$/m);
  });

  it('an empty features folder runs nothing and says so', async () => {
    const { code, output } = await runCli([featureDir({})]);
    expect(code, output).toBe(2);
    expect(output).toMatch(/no feature files in .*: nothing to run/);
  });

  it('a scenario without steps would pass without checking anything: refused', async () => {
    const dir = featureDir({ 'empty.feature': `${GOOD}  Scenario: nothing to see\n` });
    const { code, output } = await runCli([dir]);
    expect(code, output).toBe(2);
    expect(output).toMatch(/empty\.feature:6: scenario "nothing to see" has no steps/);
  });

  it('an adapter module whose top-level await never settles is given up on, named, in bounded time', async () => {
    const { code, output } = await runCli(['--timeout', '3', '--adapter', 'test/fixtures/adapters/never-loads.ts', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(2);
    expect(output).toMatch(/never-loads\.ts" did not finish loading within 3 s/);
    expect(output).toMatch(CLOSING);
  });

  it('an adapter module that ends the process while loading is named', async () => {
    const { code, output } = await runCli(['--adapter', 'test/fixtures/adapters/exits-on-load.ts', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(2);
    expect(output).toMatch(/exits-on-load\.ts" failed to load: the credential app called process\.exit\(0\)/);
  });
});

/** Runs the stateless feature (both passes) against the reference app with one misbehaviour. */
const misbehaving = (misbehaviour: string, extra: Record<string, string> = {}, args: string[] = []) =>
  runCli(['--timeout', '4', '--adapter', 'test/fixtures/adapters/misbehaves.ts', ...args, 'features/provisioning/stateless.feature'], {
    SCT_MISBEHAVIOUR: misbehaviour,
    ...extra,
  });

describe.concurrent('an app that takes the process down fails its scenario, and the run goes on (exit 1)', () => {
  it.each([
    ['exit-in-share', { SCT_EXIT_CODE: '0' }, /the credential app called process\.exit\(0\)/],
    ['exit-in-share', { SCT_EXIT_CODE: '1' }, /the credential app called process\.exit\(1\)/],
    ['exit-in-handler', {}, /the credential app called process\.exit\(0\)/],
    ['kill-in-share', {}, /the process running the scenario ended \(signal SIGKILL\) before the scenario finished/],
    ['cpu-loop', {}, /did not finish within 4 s of real time: the app hangs or loops \(its process was stopped\)/],
  ])('%s %j', async (misbehaviour, env, why) => {
    const { code, output } = await misbehaving(misbehaviour, env, ['--name', 'provisions a shared']);
    expect(code, output).toBe(1);
    expect(failedScenarios(output)).toContain("[sender] Bob's phone provisions a shared car key exactly once");
    expect(output).toMatch(why);
    // Both passes ran to the end and were summed up.
    expect(output).toMatch(/^conformance \[receiver\]: \d+ passed/m);
    expect(output).toMatch(CLOSING);
  }, 90_000);

  it('a throw from one of the app\'s own timers fails the scenario it happened in, naming the app\'s code', async () => {
    const { code, output } = await misbehaving('timer-throws', {}, ['--name', 'provisions a shared']);
    expect(code, output).toBe(1);
    expect(output).toMatch(/an uncaught exception in app code \(at test\/fixtures\/adapters\/misbehaves\.ts:\d+\), outside any call the harness made .*wallet sync failed/);
    expect(failedScenarios(output)).toEqual([
      "[sender] Bob's phone provisions a shared authorization token exactly once",
      "[sender] Bob's phone provisions a shared car key exactly once",
    ]);
  });

  it('a rejection the app leaves behind, surfacing after its scenario, fails a scenario and the run still ends with its summary', async () => {
    const { code, output } = await misbehaving('late-rejection');
    expect(code, output).toBe(1);
    expect(output).toMatch(/an unhandled promise rejection in app code \(at test\/fixtures\/adapters\/misbehaves\.ts:\d+\).*late analytics upload failed/);
    expect(output).toMatch(/^conformance \[receiver\]: \d+ passed/m);
    expect(output).toMatch(CLOSING);
  });

  it('timers the app leaks do not keep the run alive: it ends, green, right after the summary', async () => {
    const { code, output } = await misbehaving('leaks-timer', {}, ['--name', 'provisions a shared']);
    expect(code, output).toBe(0);
    expect(closingLine(output)).toBe('conformance: 4 passed, 0 failed, 0 skipped');
  }, 30_000);

  it('a message handler that never settles is named as the app\'s handler', async () => {
    const { code, output } = await misbehaving('handler-never-settles', {}, ['--name', 'provisions a shared']);
    expect(code, output).toBe(1);
    expect(output).toMatch(/the credential app on Bob's phone handling a message did not finish within 1000 ms of real time: it hangs/);
    expect(output).not.toMatch(/delivery to [0-9a-f-]+\.\d+ did not finish/);
  });
});

describe('values the app hands the harness are checked at the boundary (each kind in test/boundary.test.ts)', () => {
  it('a contract error names the app, the phone and the method, and fails the scenario', async () => {
    const { code, output } = await misbehaving('send-string', {}, ['--name', 'provisions a shared']);
    expect(code, output).toBe(1);
    expect(output).toMatch(/the credential app on (Alice|Bob)'s phone \(the app under test\) broke the adapter contract: signal\.send\(\): the bytes are of type string; it takes a Uint8Array/);
  });

  it("a factory's app that does not fit the contract (no cancel()) fails its scenarios as the app's fault (exit 1), never as a harness error", async () => {
    const { code, output } = await runCli(['--seed', '5', '--role', 'sender', '--adapter', 'test/fixtures/adapters/incomplete-app.ts', '--name', 'provisions a shared', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(1);
    expect(output).toMatch(/why: The app from adapter "[^"]*incomplete-app\.ts" does not fit the contract: \| - cancel\(\) is missing/);
    expect(output).not.toMatch(/harness error/);
  });
});

describe('two runs in one checkout', () => {
  it('the second refuses with a clear message while the first runs; a lock left by a dead run is taken over', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'sct-shared-reports-'));
    writeFileSync(join(reports, '.run.lock'), JSON.stringify({ pid: process.pid, since: 'now', adapter: 'another app' }));
    const busy = await runCli(['--reports', reports, '--name', 'provisions a shared']);
    expect(busy.code, busy.output).toBe(2);
    expect(busy.output).toMatch(new RegExp(`another run \\(pid ${process.pid}, adapter another app, since now\\) is writing to .*; wait for it, or give this run its own folder with --reports <dir>`));
    writeFileSync(join(reports, '.run.lock'), JSON.stringify({ pid: 2 ** 22 + 17, since: 'long ago', adapter: 'a dead run' }));
    mkdirSync(join(reports, 'allure-results'), { recursive: true });
    // The lock is the run's, not a pass's: one scenario run shows the run going ahead.
    const taken = await runCli(['--reports', reports, '--role', 'sender', '--name', 'provisions a shared car key']);
    expect(taken.code, taken.output).toBe(0);
  });
});
