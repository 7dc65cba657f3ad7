/**
 * The suite must catch apps that break its rules: each deliberately faulty app runs the whole
 * conformance suite (as an implementer would, through the CLI) and must fail the named scenarios.
 */
import { describe, expect, it } from 'vitest';
import { failedScenarios, runCli } from './run-cli.ts';

const runSuite = (adapter: string) => runCli(['--adapter', adapter, '--seed', '5']);

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

  it.each(['src/fakes/reference-app.ts', 'examples/minimal-adapter.ts'])('%s passes the same suite', async (adapter) => {
    const { code, output } = await runSuite(adapter);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^conformance: \d+ passed, 0 failed, 0 skipped \(seed 5\)$/m);
  });

});
