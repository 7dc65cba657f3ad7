/**
 * The second real implementation: examples/python/, a credential app in Python written from the
 * docs, passes every scenario in both roles, out of process through its manifest. Without python3
 * or its `cryptography` package this test fails saying what to install: it never passes unrun.
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** What is missing to run the example, if anything. */
function missing(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import cryptography.hazmat.primitives.asymmetric.ed25519'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') return 'python3 is not installed (Debian: apt-get install python3)';
    return `python3 cannot import the cryptography package (Debian: apt-get install python3-cryptography; or pip install cryptography): ${e.stderr?.toString().trim().split('\n').at(-1)}`;
  }
}

it('the Python example passes every scenario in both roles, out of process', { timeout: 600_000 }, async () => {
  const absent = missing();
  expect(absent, `The Python example cannot run here: ${absent}`).toBeUndefined();
  // JUnit only (no Allure results or traces to write, about a tenth less CPU): the verdicts are all this test reads.
  const { code, output } = await runCli(['--seed', '1', '--report', 'junit', '--adapter', 'examples/python/sct-adapter.json']);
  expect(code, output).toBe(0);
  // Both flows are implemented: nothing skipped.
  expect(output.trimEnd().split('\n').at(-1)).toMatch(/^conformance: [1-9]\d+ passed, 0 failed, 0 skipped$/);
});
