/**
 * `sct-conformance interop`: every ordered pair of apps, judged by the scenarios and the monitor.
 * The reference app and the Python example work with each other both ways; a receiver with a bug
 * fails the cells of its column, naming the receiver, and passes as a sender.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function interop(args: string[]): Promise<{ code: number; output: string; md: string; pairs: string[]; json: { cells: Array<{ sender: string; receiver: string; passed: number; failed: number; scenarios: Array<{ status: string; why?: string }> }> } }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-interop-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'interop', '--quiet', '--seed', '3', '--reports', reports, ...args],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '' }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const read = (file: string) => {
          try {
            return readFileSync(join(reports, file), 'utf8');
          } catch {
            return '';
          }
        };
        const md = read('interop-matrix.md');
        // The Allure results' pair parameter, for every result of every pair.
        const pairs = readdirSync(reports, { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(reports, d.name, 'allure-results')))
          .flatMap((d) => readdirSync(join(reports, d.name, 'allure-results')).filter((f) => f.endsWith('-result.json')).map((f) => join(reports, d.name, 'allure-results', f)))
          .flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { parameters: Array<{ name: string; value: string }> }).parameters.filter((p) => p.name === 'sender -> receiver').map((p) => p.value));
        const json = JSON.parse(read('interop-matrix.json') || '{"cells":[]}');
        rmSync(reports, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, md, json, pairs: [...new Set(pairs)].sort() });
      },
    );
  });
}

describe.concurrent('interop', () => {
  it('the reference app and the Python example: all four pairs green, the matrix written', { timeout: 300_000 }, async () => {
    const { code, output, md, json } = await interop(['--with-reference', 'features/transport', 'features/security/replay.feature']);
    expect(code, output).toBe(0);
    expect(output).toContain('interop: 4 of 4 pairs passed');
    expect(json.cells.map((c) => `${c.sender}->${c.receiver}`)).toEqual(['reference->reference', 'reference->python', 'python->reference', 'python->python']);
    for (const cell of json.cells) {
      expect(cell.failed).toBe(0);
      expect(cell.passed).toBeGreaterThan(15);
    }
    expect(md).toMatch(/\| \*\*python\*\* \| \[✓ \d+ passed\]\(python--reference\/\) \| \[✓ \d+ passed\]\(python--python\/\) \|/);
    // Scenarios in which the harness plays one side are the conformance run's, not interop's.
    expect(output).toMatch(/\d+ with a scripted peer left out/);
  });

  it('a receiver with a bug fails its column, naming the receiver, and passes as a sender', { timeout: 300_000 }, async () => {
    const { code, output, md, json, pairs } = await interop(['--app', 'good=src/fakes/reference-app.ts', '--app', 'dup=src/fakes/faulty/provisions-duplicates.ts', 'features/transport']);
    expect(code, output).toBe(1);
    const cell = (sender: string, receiver: string) => json.cells.find((c) => c.sender === sender && c.receiver === receiver)!;
    expect(cell('good', 'good').failed).toBe(0);
    expect(cell('dup', 'good').failed, 'its bug is a receiver\'s: as a sender it passes').toBe(0);
    expect(cell('good', 'dup').failed).toBeGreaterThan(0);
    expect(cell('dup', 'dup').failed).toBe(cell('good', 'dup').failed);
    // Each failure is the receiver's: its phone's (Bob's) provisioning, or the monitor naming the receiver.
    for (const s of cell('good', 'dup').scenarios.filter((s) => s.status === 'failed')) {
      expect(s.why).toMatch(/Bob's phone reported|the receiver dup breaking/);
    }
    expect(md).toContain('- **good → dup**: ');
    // Its replay line names the pair, so a replay charges the monitor's findings to the same side.
    expect(output).toMatch(/replay: SCT_PEER_ADAPTER=\S+ SCT_INTEROP_SENDER=good SCT_INTEROP_RECEIVER=dup SCT_SEED=3 npm run conformance -- --role sender --adapter src\/fakes\/reference-app\.ts /);
    expect(md).not.toContain('- **dup → good**');
    // In the Allure results each scenario carries its pair: Allure groups the matrix by it.
    expect(pairs).toEqual(['dup -> dup', 'dup -> good', 'good -> dup', 'good -> good']);
  });

  it('needs two apps, with names of their own', async () => {
    const one = await interop(['--app', 'a=src/fakes/reference-app.ts']);
    expect(one.code, one.output).toBe(2);
    expect(one.output).toContain('interop needs at least two apps');
    const same = await interop(['--app', 'a=src/fakes/reference-app.ts', '--app', 'a=examples/python/sct-adapter.json']);
    expect(same.code, same.output).toBe(2);
    expect(same.output).toContain('two apps are named "a"');
  });
});
