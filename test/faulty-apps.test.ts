/**
 * The suite must catch apps that break its rules: each deliberately faulty app runs the whole
 * conformance suite (as an implementer would, through the CLI) and must fail the named scenarios.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runSuite(adapter: string): Promise<{ code: number; output: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-faulty-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'run', '--quiet', '--reports', reports, '--adapter', adapter, '--seed', '5'],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '' } },
      (error, stdout, stderr) => {
        rmSync(reports, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

const failedScenarios = (output: string) =>
  [...output.matchAll(/^ {2}failed: (.*) \(features\/.*\)$/gm)].map((m) => m[1]).sort();

describe('deliberately faulty apps fail the scenarios for the rule they break', () => {
  it.each([
    ['provisions-duplicates', ['An invitation resent with a new message id is provisioned once', 'The same invitation sent twice is provisioned once']],
    ['ignores-expiry', ['An invitation whose expiration has passed is refused and reported as expired']],
    ['strict-fields', ['Unknown fields in an invitation are tolerated']],
    [
      'silent-on-malformed',
      [
        'A malformed invitation (with an expiration of "tomorrow") is answered as malformed and nothing is provisioned',
        'A malformed invitation (with flow "telepathic") is answered as malformed and nothing is provisioned',
        'A malformed invitation (without a title) is answered as malformed and nothing is provisioned',
        'A malformed invitation (without an expiration) is answered as malformed and nothing is provisioned',
        'A malformed invitation (without provisioning information) is answered as malformed and nothing is provisioned',
      ],
    ],
  ])('%s', async (name, expected) => {
    const { code, output } = await runSuite(`src/fakes/faulty/${name}.ts`);
    expect(code, output).toBe(1);
    expect(failedScenarios(output), output).toEqual([...expected].sort());
  });

  it('the reference app passes the same suite', async () => {
    const { code, output } = await runSuite('src/fakes/reference-app.ts');
    expect(code, output).toBe(0);
    expect(output).toMatch(/^conformance: \d+ passed, 0 failed, 0 skipped \(seed 5\)$/m);
  });

  it('a missing adapter stops the run with a clear error before any scenario', async () => {
    const { code, output } = await runSuite('./no-such-adapter.ts');
    expect(code).toBe(2);
    expect(output).toMatch(/Adapter module ".*no-such-adapter\.ts" was not found/);
  });
});
