/**
 * Exploration runs (src/explore/): conforming apps pass generated fault plans, faulty apps are
 * found by exploration alone, a counterexample is shrunk, told in words and replayed by the
 * command it prints, and the same seed generates the same plans. The full figures (1,000 plans,
 * several seeds, every app) come from `npx tsx bench/explore.ts` (docs/exploration.md).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFERENCE_ADAPTER, loadAdapter } from '../src/adapter/load.ts';
import { describePlan, explore, type Plan } from '../src/explore/index.ts';
import { EXIT } from '../src/run/exit-codes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const reference = await loadAdapter(REFERENCE_ADAPTER);
const app = (name: string) => loadAdapter(join(ROOT, name));

function exploreCli(args: string[]): Promise<{ code: number; output: string; reports: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-explore-'));
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/sct-conformance.js', 'explore', '--reports', reports, ...args], { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, reports }),
    );
  });
}

describe('exploration runs', () => {
  it('the reference app passes 150 generated plans, as sender and as receiver', async () => {
    const roles = new Set<string>();
    const result = await explore({ underTest: reference, reference }, { runs: 150, seed: 11, onRun: (plan) => roles.add(plan.role) });
    expect(result.counterexample?.verdict.app, result.counterexample && describePlan(result.counterexample.plan).join('\n')).toBeUndefined();
    expect(result.harness).toEqual([]);
    expect(result.runs).toBe(150);
    expect([...roles].sort()).toEqual(['receiver', 'sender']);
  });

  it.each(['slowest-retries-earliest-re-request', 'small-retry-budget', 'deferred-reports'])(
    'the conforming variant %s passes 30 generated plans',
    async (variant) => {
      const result = await explore({ underTest: await app(`src/fakes/variants/${variant}.ts`), reference }, { runs: 30, seed: 12 });
      expect(result.counterexample?.verdict.app, result.counterexample && describePlan(result.counterexample.plan).join('\n')).toBeUndefined();
      expect(result.harness).toEqual([]);
    },
  );

  // One faulty app for each judge: the monitor, liveness, the edge of a time rule, a waiting
  // receiver's re-requests, crafted messages, a third party, an identity change, retries; and
  // three found quickly by newer plan elements: the largest credential, an invitation sent again
  // under a new message id, Bob's device answering "provisioned" with his app bypassed (the
  // sender's rules). The benchmark (bench/explore.ts, docs/exploration.md) covers every other
  // faulty app.
  it.each([
    ['logs-credential', /INV-SECRET-KEPT/],
    ['does-nothing', /liveness/],
    ['accepts-at-expiry', /INV-BEFORE-EXPIRY/],
    ['never-asks-again', /INV-ASKS-AGAIN|liveness/],
    ['silent-on-malformed', /never answered .* as malformed/],
    ['trusts-any-sender', /liveness|INV-|broke R-/],
    ['ignores-identity-change', /INV-CONFIRMED-IDENTITY/],
    ['too-many-retries', /INV-RETRY-BUDGET/],
    ['refuses-large-credentials', /failed \/ malformed/],
    ['reports-received-again', /INV-FINAL/],
    ['completes-without-package', /completed before sending any final package \(R-STATEFUL-1\)/],
  ])('exploration alone finds the faulty app %s within 1,000 plans', async (name, problem) => {
    const result = await explore({ underTest: await app(`src/fakes/faulty/${name}.ts`), reference }, { runs: 1000, seed: 7 });
    expect(result.counterexample, `not found in ${result.runs} plans`).toBeDefined();
    expect(result.counterexample!.verdict.app.join('\n')).toMatch(problem);
  });

  it('the same seed generates the same plans; another seed others', async () => {
    const plans = async (seed: number) => {
      const seen: Plan[] = [];
      await explore({ underTest: reference, reference }, { runs: 15, seed, onRun: (plan) => seen.push(plan) });
      return JSON.stringify(seen);
    };
    const first = await plans(21);
    expect(await plans(21)).toBe(first);
    expect(await plans(22)).not.toBe(first);
  });
});

describe('sct-conformance explore', () => {
  it('prints a shrunk counterexample in words and the command that replays exactly it', async () => {
    const found = await exploreCli(['--adapter', 'src/fakes/faulty/gives-up-early.ts', '--runs', '200', '--seed', '3']);
    expect(found.code, found.output).toBe(EXIT.FAILED);
    expect(found.output).toMatch(/^sct-conformance explore: seed 3 \(replay with --seed 3\)/);
    expect(found.output).toMatch(/Counterexample after \d+ plan\(s\), shrunk \d+ time\(s\):\n {4}Given .*\n {4}When Alice shares/);
    expect(found.output).toMatch(/explore: \d+ runs, 1 failed\n$/);
    const replay = /Replay it: npx sct-conformance explore (.*)$/m.exec(found.output)![1]!.split(' ');
    const saved = JSON.parse(readFileSync(join(found.reports, 'explore', 'counterexample.json'), 'utf8')) as { plan: Plan; problems: string[] };
    expect(readFileSync(join(found.reports, 'explore', 'counterexample-trace.json'), 'utf8')).toContain('"device.sent"');

    const again = await exploreCli(replay);
    expect(again.code, again.output).toBe(EXIT.FAILED);
    expect(again.output).toMatch(/explore: 1 runs, 1 failed/);
    const replayed = JSON.parse(readFileSync(join(again.reports, 'explore', 'counterexample.json'), 'utf8')) as { plan: Plan; problems: string[] };
    expect(replayed.plan).toEqual(saved.plan);
    expect(replayed.problems).toEqual(saved.problems);
    // Shrunk: fast-check found smaller failing plans on the way (a retry bug needs only failures to retry).
    expect(saved.plan.faults.length).toBeLessThanOrEqual(2);
    for (const dir of [found.reports, again.reports]) rmSync(dir, { recursive: true, force: true });
  });

  it('passes with exit 0 when no plan fails', async () => {
    const { code, output, reports } = await exploreCli(['--runs', '20', '--seed', '4', '--role', 'receiver']);
    rmSync(reports, { recursive: true, force: true });
    expect(code, output).toBe(EXIT.PASSED);
    expect(output).toMatch(/app under test as receiver/);
    expect(output).toMatch(/explore: no counterexample in 20 plan\(s\)\nexplore: 20 runs, 0 failed\n$/);
  });

  it.each([
    [['--runs', '0'], /--runs "0" is not a positive whole number/],
    [['--role', 'both'], /--role both does not apply to explore/],
    [['--path', 'up:the:hill'], /--path "up:the:hill" is not a counterexample's path/],
    [['--adapter', 'no/such/app.ts'], /Adapter module "no\/such\/app.ts" was not found/],
  ])('a usage error (%j) exits 2 naming the problem', async (args, message) => {
    const { code, output, reports } = await exploreCli(args);
    rmSync(reports, { recursive: true, force: true });
    expect(code, output).toBe(EXIT.USAGE);
    expect(output).toMatch(message);
    expect(output).toMatch(/explore: 0 runs, 0 failed\n/);
  });
});
