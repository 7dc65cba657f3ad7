/**
 * Apps in their own process (docs/adapter-protocol.md): each way an app process can misbehave
 * fails its scenario naming the app, what it did and the tail of its stderr, within the call
 * limit; the run goes on with a fresh process; and no process of the app outlives the run, Ctrl-C
 * included.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../src/adapter/process/manifest.ts';
import { AdapterError } from '../src/adapter/load.ts';
import { failedScenarios, runCli } from './run-cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = 'node src/fakes/process/misbehaving-app.mjs';
/** Two scenarios, so the second shows the run going on with a fresh process. */
const TWO = ['--role', 'sender', '--seed', '5', '--name', "^Bob's phone provisions a car key bound|^Alice's phone is offline when Bob's phone asks"];

/** Whether a process still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsFile() {
  const dir = mkdtempSync(join(tmpdir(), 'sct-pids-'));
  const file = join(dir, 'pids');
  return {
    file,
    pids: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const CASES: Array<[mode: string, did: RegExp]> = [
  ['crash', /exited \(exit code 1\)/],
  ['exit', /exited \(exit code 0\)/],
  ['close-stdout', /closed its stdout/],
  ['not-json', /wrote a line that is not JSON: "Sharing the car key now\.\.\."/],
  ['not-rpc', /wrote a line that is not a JSON-RPC 2\.0 message/],
  ['unknown-id', /answered a call it was never made \(id 4242\)/],
  ['hang', /did not answer "share" within 1000 ms of real time \(callTimeoutMs\)/],
  ['flood-line', /flooded its stdout: a line of more than \d+ characters \(at most 1048576\)/],
  ['flood-lines', /flooded its stdout: more than 10000 lines while one call waited/],
];

describe('an app process that misbehaves fails its scenario, and the run goes on', () => {
  // One run of every case, each its own app (one CLI start for all); each app's block is checked
  // apart. A manifest per case: a second's call limit keeps the "no answer" case short.
  const pids = pidsFile();
  const dir = mkdtempSync(join(tmpdir(), 'sct-misbehaving-'));
  let result: Promise<{ code: number; output: string }>;
  const manifest = (mode: string) => join(dir, `${mode}.json`);
  beforeAll(() => {
    for (const [mode] of CASES) {
      const env = { MODE: mode, SCT_TEST_PIDS: `${pids.file}.${mode}` };
      writeFileSync(manifest(mode), JSON.stringify({ name: `misbehaving (${mode})`, command: 'node', args: [join(ROOT, 'src/fakes/process/misbehaving-app.mjs')], env, callTimeoutMs: 1000 }));
    }
    result = runCli([...TWO, ...CASES.flatMap(([mode]) => ['--adapter', manifest(mode)])]);
  });
  afterAll(() => {
    pids.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the run fails, each app in its own block', async () => {
    const { code, output } = await result;
    expect(code, output).toBe(1);
    expect(output).toContain(`apps: 0 of ${CASES.length} passed`);
  });

  it.each(CASES)('%s', async (mode, did) => {
    const { output } = await result;
    const block = output.split('\n== app: ').find((b) => b.split('\n')[0]!.includes(`${mode}.json`));
    expect(block, output).toBeDefined();
    expect(failedScenarios(block!), block).toHaveLength(2);
    const reasons = [...block!.matchAll(/^ {4}why: (.*)$/gm)].map((m) => m[1]!);
    expect(reasons, block).toHaveLength(2);
    const processes = new Set<string>();
    for (const reason of reasons) {
      // Failed (the app's fault, not the harness's), naming the app, what it did, when, and what it said last.
      expect(reason).toMatch(new RegExp(`^the app process misbehaving \\(${mode}\\) \\(pid \\d+\\) `));
      expect(reason).toMatch(did);
      expect(reason).toContain('while the harness waited for its answer to "share"');
      expect(reason).toContain(`the last of its stderr: | misbehaving app (${mode}) started | about to misbehave: ${mode}`);
      processes.add(/\(pid (\d+)\)/.exec(reason)![1]!);
    }
    expect(processes.size, 'each scenario had a fresh process').toBe(2);
    // Each process and what it started (a `sleep` in its group), all gone.
    const started = existsSync(`${pids.file}.${mode}`) ? readFileSync(`${pids.file}.${mode}`, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    expect(started).toHaveLength(4);
    expect(started.filter(running)).toEqual([]);
  });
});

describe('Ctrl-C', () => {
  it('on Ctrl-C, no app process is left', async () => {
    const pids = pidsFile();
    const reports = mkdtempSync(join(tmpdir(), 'sct-cli-'));
    try {
      // The CLI in a process group of its own, as a shell runs a job: Ctrl-C signals the whole group.
      const cli = spawn(process.execPath, ['bin/sct-conformance.js', 'run', '--quiet', '--reports', reports, ...TWO, '--adapter-cmd', APP], {
        cwd: ROOT,
        env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', MODE: 'hang', SCT_TEST_PIDS: pids.file },
        detached: true,
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => cli.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
      // Once the app runs (and hangs in `share`), interrupt.
      for (let i = 0; i < 600 && pids.pids().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pids.pids()).toHaveLength(2);
      process.kill(-cli.pid!, 'SIGINT');
      await exited;
      await new Promise((r) => setTimeout(r, 200));
      expect(pids.pids().filter(running)).toEqual([]);
    } finally {
      pids.remove();
      rmSync(reports, { recursive: true, force: true });
    }
  });
});

describe('instances', () => {
  it('an app run with a process per phone ("per-phone") passes as it does shared', async () => {
    const { code, output } = await runCli(['--seed', '5', '--name', "^Bob's phone provisions a car key bound", '--adapter', 'test/fixtures/process/python-per-phone.json']);
    expect(code, output).toBe(0);
    expect(output.trimEnd().split('\n').at(-1)).toBe('conformance: 2 passed, 0 failed, 0 skipped');
  });
});

describe('adapter manifests', () => {
  it('names every problem of a manifest that does not fit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sct-manifest-'));
    try {
      const path = join(dir, 'sct-adapter.json');
      writeFileSync(path, JSON.stringify({ command: '', args: 'app.py', instances: 'many', colour: 'blue' }));
      expect(() => readManifest(path, 'sct-adapter.json')).toThrow(AdapterError);
      expect(() => readManifest(path, 'sct-adapter.json')).toThrow(
        /Adapter manifest "sct-adapter.json" does not fit the format \(docs\/adapter-protocol\.md, Manifest\):\n- (.|\n)*command(.|\n)*args(.|\n)*instances(.|\n)*colour/,
      );
      writeFileSync(path, '{ "command": "python3", ');
      expect(() => readManifest(path, 'sct-adapter.json')).toThrow(/Adapter manifest "sct-adapter.json" is not readable JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a manifest that is not there, or an empty command, is a usage error (exit 2)', async () => {
    const missing = await runCli(['--adapter', 'no/such/sct-adapter.json']);
    expect(missing.code, missing.output).toBe(2);
    expect(missing.output).toMatch(/Adapter manifest "no\/such\/sct-adapter\.json" was not found/);
    const empty = await runCli(['--adapter-cmd', ' ']);
    expect(empty.code, empty.output).toBe(2);
    expect(empty.output).toMatch(/--adapter-cmd is empty/);
  });

  it('an app that announces other flows than its manifest expects fails, naming both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sct-manifest-'));
    try {
      const manifest = join(dir, 'sct-adapter.json');
      writeFileSync(manifest, JSON.stringify({ command: 'node', args: [join(ROOT, 'src/fakes/process/misbehaving-app.mjs')], capabilities: { flows: ['stateless'] } }));
      const { code, output } = await runCli(['--role', 'sender', '--seed', '5', '--name', "^Bob's phone is offline when the car key is shared", '--adapter', manifest]);
      expect(code, output).toBe(1);
      expect(output).toMatch(/announced the flows \["stateless","stateful"\] but its manifest expects \["stateless"\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a command that cannot start fails its scenarios naming it', async () => {
    const { code, output } = await runCli([...TWO, '--adapter-cmd', 'no-such-program-for-sct']);
    expect(code, output).toBe(1);
    expect(failedScenarios(output)).toHaveLength(2);
    expect(output).toMatch(/why: the app process no-such-program-for-sct \(pid \d+\) exited \(exit code 127\), while the harness waited for its answer to "initialize"; the last of its stderr: .*not found/);
  });
});
