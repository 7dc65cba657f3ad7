/** Runs the conformance CLI in a child process, as an implementer or CI would. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-cli-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'run', '--quiet', '--reports', reports, ...args],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', ...env } },
      (error, stdout, stderr) => {
        rmSync(reports, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

/** The scenario names the CLI lists as failed. */
export const failedScenarios = (output: string) =>
  [...output.matchAll(/^ {2}failed: (.*) \([^()]*\)$/gm)].map((m) => m[1]).sort();
