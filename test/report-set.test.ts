/**
 * `--report junit` writes the JUnit XML alone: the verdict and the printed failures are the
 * same as a full report's, and nothing else lands in the reports folder, not even an earlier
 * run's Allure results or traces.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';

const ONE = ['--seed', '5', '--role', 'receiver', '--adapter', 'src/fakes/faulty/ignores-cancel.ts', '--expected-failures', 'none', '--name', '^A cancel that overtakes its invitation'];

describe('--report junit', () => {
  it('gives the same verdict and writes only JUnit, clearing what an earlier full run left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sct-report-set-'));
    try {
      const full = await runCli(['--reports', dir, ...ONE]);
      expect(full.code, full.output).toBe(1);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining(['allure-results', 'traces', 'cucumber-messages-receiver.ndjson', 'junit-receiver.xml']));
      const junit = await runCli(['--reports', dir, '--report', 'junit', ...ONE]);
      expect(junit.code, junit.output).toBe(1);
      const verdict = (output: string) => output.split('\n').filter((l) => /^ {2}(failed|why):|^conformance/.test(l));
      expect(verdict(junit.output)).toEqual(verdict(full.output));
      expect(verdict(junit.output).length).toBeGreaterThan(1);
      expect(readdirSync(dir)).toEqual(['junit-receiver.xml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('any other set is a usage error naming the ones there are', async () => {
    const { code, output } = await runCli(['--report', 'html', ...ONE]);
    expect(code).toBe(2);
    expect(output).toContain('--report is "html": it takes all or junit');
  });
});
