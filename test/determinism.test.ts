/**
 * Same seed, same adapter: the same trace, byte for byte, for every scenario; another seed
 * changes the data and the fault decisions. Runs the transport features (every fault kind) as
 * CI would, through the CLI, and compares the trace files.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulationEpoch } from '../src/sim/clock.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function traces(seed: string, ...args: string[]): Promise<Map<string, string>> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-determinism-'));
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'run', '--quiet', '--seed', seed, '--reports', reports, ...args, 'features/transport'],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '' } },
      (error, stdout) => (error ? reject(new Error(stdout)) : resolve()),
    ),
  );
  const files = new Map<string, string>();
  for (const role of readdirSync(join(reports, 'traces'))) {
    for (const file of readdirSync(join(reports, 'traces', role))) {
      files.set(`${role}/${file}`, readFileSync(join(reports, 'traces', role, file), 'utf8'));
    }
  }
  rmSync(reports, { recursive: true, force: true });
  return files;
}

describe('determinism', () => {
  it('the same seed writes identical traces; another seed changes data and fault decisions', async () => {
    const [first, second, other, alone] = await Promise.all([
      traces('1234'),
      traces('1234'),
      traces('98765'),
      traces('1234', '--role', 'receiver', '--name', '^The stateful legs with reordered duplicates'),
    ]);
    expect(first.size).toBeGreaterThanOrEqual(20);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [name, trace] of first) expect(second.get(name), name).toBe(trace);

    // A scenario replayed alone (its printed replay command) traces exactly as in the full run.
    expect(alone.size).toBe(1);
    const [[name, trace]] = [...alone];
    expect(trace).toBe(first.get(name!));

    // Every scenario of the run starts at the seed's instant (far from today: see test/epoch.test.ts).
    const starts = (run: Map<string, string>) => new Set([...run.values()].map((trace) => JSON.parse(trace)[0].at));
    expect(starts(first)).toEqual(new Set([new Date(simulationEpoch(1234)).toISOString()]));
    expect(starts(other)).toEqual(new Set([new Date(simulationEpoch(98765)).toISOString()]));

    const changed = [...first].filter(([name, trace]) => other.get(name) !== trace);
    expect(changed.length).toBe(first.size); // every scenario's accounts and ids come from the seed
    // Fault decisions themselves depend on the seed: the shuffled reorder and the retry jitter.
    const decisions = (trace: string) =>
      JSON.parse(trace)
        .filter((e: { kind: string; message?: string }) => e.kind === 'fault.reorder-released' || (e.kind === 'app.log' && /attempt \d+ in/.test(e.message ?? '')))
        .map((e: { order?: number[]; message?: string }) => e.order ?? e.message);
    const differing = [...first].filter(([name, trace]) => JSON.stringify(decisions(trace)) !== JSON.stringify(decisions(other.get(name)!)));
    expect(differing.length).toBeGreaterThan(0);
  });
});
