/**
 * In process and out of process are the same app to the harness: the reference app run through
 * `sct-conformance host` (the adapter protocol over a pipe) gets the same verdicts and the same
 * traces, event for event, as in process, for the same seed. App log lines aside: the two routes
 * log differently (the out-of-process one also logs the app's start, and its stderr).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[]): Promise<{ code: number; output: string; reports: string }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-eq-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'run', '--quiet', '--seed', '11', '--reports', reports, ...args],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, reports }),
    );
  });
}

/** Every scenario's trace, by role and file, without app log lines and their sequence numbers. */
function traces(reports: string): Map<string, string> {
  const all = new Map<string, string>();
  for (const role of readdirSync(join(reports, 'traces'))) {
    for (const file of readdirSync(join(reports, 'traces', role))) {
      const events = JSON.parse(readFileSync(join(reports, 'traces', role, file), 'utf8')) as Array<Record<string, unknown>>;
      const kept = events.filter((e) => e.kind !== 'app.log').map(({ seq: _, ...event }) => event);
      all.set(`${role}/${file}`, JSON.stringify(kept, null, 1));
    }
  }
  return all;
}

it('the reference app out of process gives the same verdicts and traces as in process, in every scenario', { timeout: 400_000 }, async () => {
  // Independent runs: side by side, one per core (the same CPU, about half the wall time).
  const [inProcess, outOfProcess] = await Promise.all([run([]), run(['--adapter', 'test/fixtures/process/reference-host.json'])]);
  try {
    expect(inProcess.code, inProcess.output).toBe(0);
    expect(outOfProcess.code, outOfProcess.output).toBe(0);
    const summary = (output: string) => output.trimEnd().split('\n').at(-1);
    expect(summary(outOfProcess.output)).toBe(summary(inProcess.output));
    expect(summary(inProcess.output)).toMatch(/^conformance: [1-9]\d+ passed, 0 failed, 0 skipped$/);
    const a = traces(inProcess.reports);
    const b = traces(outOfProcess.reports);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [scenario, trace] of a) expect(b.get(scenario), scenario).toBe(trace);
  } finally {
    rmSync(inProcess.reports, { recursive: true, force: true });
    rmSync(outOfProcess.reports, { recursive: true, force: true });
  }
});
