import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedScenarios, runApps, runCli } from './run-cli.ts';
import { simulationEpoch } from '../src/sim/clock.ts';

function featureFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sct-feature-')), 'draft.feature');
  writeFileSync(path, text);
  return path;
}

describe('conformance CLI', () => {
  it('a dry run names a step that does not bind and fails', async () => {
    const draft = featureFile(`Feature: draft
  Scenario: a product person's typo
    Given Alice and Bob have phones with the credential app, on Signal
    When Alice teleports a car key to Bob
    Then Bob's phone provisions the car key exactly once
`);
    const { code, output } = await runCli(['--dry-run', draft]);
    expect(code).toBe(2); // the feature is wrong, not the app: a usage error
    expect(output).toContain('why (a step does not bind): the step "Alice teleports a car key to Bob" is undefined: no sentence of the step catalog (docs/steps.md) matches it');
    expect(failedScenarios(output)).toEqual(["a product person's typo"]);
  });

  // One dry run of the shipped features for the next two tests: binding does not depend on the seed.
  let shipped: ReturnType<typeof runCli> | undefined;
  const dryRunShipped = () => (shipped ??= runCli(['--dry-run', '--seed', '42']));

  it('a dry run of the shipped features binds every step', async () => {
    const { code, output } = await dryRunShipped();
    expect(code, output).toBe(0);
    const [, skipped] = /^conformance: 0 passed, 0 failed, (\d+) skipped$/m.exec(output)!;
    // Said in words, not left to be read from "0 passed".
    expect(output).toContain(`dry run: every step of the ${skipped} scenario(s) binds to a sentence of the step catalog (nothing was run)`);
  });

  it('prints the seed it was given, and refuses one that is not a number', async () => {
    const run = await dryRunShipped();
    expect(run.output).toMatch(/^sct-conformance: seed 42 \(replay with SCT_SEED=42\)/m);
    expect(run.output).toContain(`simulated time from ${new Date(simulationEpoch(42)).toISOString()}`);
    const bad = await runCli(['--seed', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('Seed "abc" is not a whole number from 0 to 4294967295');
  });

  it('a missing adapter stops the run with a clear error before any scenario', async () => {
    const { code, output } = await runCli(['--adapter', './no-such-adapter.ts']);
    expect(code).toBe(2);
    expect(output).toMatch(/Adapter module ".*no-such-adapter\.ts" was not found/);
  });

  it('a missing peer adapter (SCT_PEER_ADAPTER) stops the run with a clear error before any scenario', async () => {
    const { code, output } = await runCli([], { SCT_PEER_ADAPTER: './no-such-peer.ts' });
    expect(code).toBe(2);
    expect(output).toMatch(/Peer adapter module "\.\/no-such-peer\.ts" \(SCT_PEER_ADAPTER\) was not found/);
  });
});

describe('the step catalog', () => {
  it('every example sentence in docs/steps.md binds to a step', async () => {
    const { readFileSync } = await import('node:fs');
    const catalog = readFileSync(new URL('../docs/steps.md', import.meta.url), 'utf8');
    // First column of each table row: its backticked Gherkin sentences (placeholders like <defect> left out).
    const sentences = catalog
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split(' | ')[0]!.matchAll(/`((?:Given|When|Then|And) [^`<]+)`/g)].map((m) => m[1]!.trim()))
      .filter((s) => !s.endsWith(':') && !s.includes('...'));
    expect(sentences.length).toBeGreaterThan(40);
    const feature = ['Feature: step catalog', ...sentences.map((s, i) => `  Scenario: example ${i}\n    ${s}`)].join('\n');
    const { code, output } = await runCli(['--dry-run', featureFile(feature)]);
    expect(output).not.toMatch(/is undefined|matches more than one step definition/);
    expect(code, output).toBe(0);
  });
});

describe('several apps in one run', () => {
  it('checks each app in turn, each with its own verdict; an app that leaves timers behind gets the next one a fresh process', async () => {
    // The first app leaves a failing job running: the apps after it must not inherit it (their
    // scenarios would fail with another app's errors).
    const { code, output, apps } = await runApps(
      ['test/fixtures/adapters/misbehaves.ts', 'src/fakes/faulty/ignores-cancel.ts', 'src/fakes/reference-app.ts'],
      ['--seed', '5', '--name', 'cancel', '--expected-failures', 'none'],
      { SCT_MISBEHAVIOUR: 'leaves-failing-job' },
    );
    expect(code, output).toBe(1);
    expect(output).toMatch(/^sct-conformance: seed 5 .*, 3 apps, \d+ scenario run\(s\) each$/m);
    expect(apps.get('test/fixtures/adapters/misbehaves.ts')!.output, output).toContain('stale sync job failed');
    expect(failedScenarios(apps.get('src/fakes/faulty/ignores-cancel.ts')!.output)).toContain('[receiver] A cancel that overtakes its invitation: nothing is provisioned');
    expect(apps.get('src/fakes/faulty/ignores-cancel.ts')!.output).not.toContain('stale sync job failed');
    const reference = apps.get('src/fakes/reference-app.ts')!;
    expect(reference.code, reference.output).toBe(0);
    expect(reference.passed).toBeGreaterThan(5);
    const sum = [...apps.values()].reduce((n, app) => [n[0]! + app.passed, n[1]! + app.failed], [0, 0]);
    expect(output.trimEnd().split('\n').slice(-2)).toEqual(['apps: 1 of 3 passed', `conformance: ${sum[0]} passed, ${sum[1]} failed, 0 skipped`]);
  });

  it('a missing adapter among several stops the run before any scenario', async () => {
    const { code, output } = await runCli(['--adapter', 'src/fakes/reference-app.ts', '--adapter', 'no/such/app.ts']);
    expect(code).toBe(2);
    expect(output).toContain('Adapter module "no/such/app.ts" was not found');
  });
});

describe('--fail-fast', () => {
  it('stops at the first failed scenario: one failure, every other scenario left is skipped, exit 1', async () => {
    const { code, output } = await runCli(['--adapter', 'src/fakes/faulty/omits-expiration.ts', '--seed', '5', '--fail-fast']);
    expect(code, output).toBe(1);
    expect(failedScenarios(output)).toHaveLength(1);
    // The receiver pass never ran: all of it is skipped.
    expect(output).toMatch(/^conformance \[receiver\]: 0 passed, 0 failed, [1-9]\d* skipped$/m);
    expect(output).toMatch(/^conformance: \d+ passed, 1 failed, [1-9]\d* skipped$/m);
  });
});
