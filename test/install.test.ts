/**
 * sct-conformance as an implementer gets it: packed with `npm pack`, installed into a project of
 * their own outside this clone (CommonJS, the default of `npm init`), and run there with `npx`
 * against a TypeScript adapter that imports `sct-conformance/contract` and
 * `sct-conformance/protocol`. Then the same project as an ES module project.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let dir: string;
let project: string;

/** Runs a command in the implementer's project; resolves with its exit code and output. */
function inProject(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: project, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sct-install-'));
  execFileSync(NPM, ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  project = join(dir, 'my-credential-app');
  mkdirSync(project);
  // No "type": CommonJS, as `npm init` makes it. The cache `npm ci` filled serves what it can.
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-credential-app', version: '1.0.0', private: true }, null, 2));
  execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--save-dev', join(dir, tarball)], { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  // The minimal example imports the package by name, as it would be copied into a real project.
  cpSync(join(ROOT, 'examples', 'minimal-adapter.ts'), join(project, 'my-adapter.ts'));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('installed from the packed tarball into a project of its own', () => {
  it('`npx sct-conformance run --adapter ./my-adapter.ts` runs the suite against it, in a CommonJS project', async () => {
    const { code, output } = await inProject('npx', ['sct-conformance', 'run', '--quiet', '--seed', '5', '--adapter', './my-adapter.ts', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/adapter my-adapter\.ts, \d+ scenario run\(s\)/);
    expect(output).toMatch(/^conformance: [1-9]\d* passed, 0 failed, \d+ skipped$/m);
  });

  it("the app's `instanceof SignalSendError` holds for the errors the harness throws, though its project loads its own copy of the contract", async () => {
    // The minimal app retries a send only when the error is a SignalSendError of a transient kind.
    const { code, output } = await inProject('npx', ['sct-conformance', 'run', '--quiet', '--seed', '5', '--role', 'sender', '--adapter', './my-adapter.ts', '--name', 'The connection fails once', 'features/transport/retries.feature']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^conformance: 1 passed, 0 failed, 0 skipped$/m);
  });

  it('the contract type-checks on its own in the implementer project (no other module, no Node types)', () => {
    writeFileSync(
      join(project, 'typed-adapter.ts'),
      `import { SignalSendError, type CredentialApp, type CredentialAppContext, type Clock, type FailureReason } from 'sct-conformance/contract';
export default function create({ clock }: CredentialAppContext): CredentialApp {
  const c: Clock = clock;
  const reason: FailureReason = 'expired';
  void reason;
  return { share: async () => { c.clearTimeout(c.setTimeout(async () => undefined, 0)); throw new SignalSendError('transient', 'x'); }, cancel: async () => undefined };
}
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: [] }, files: ['typed-adapter.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })).not.toThrow();
  });

  it('a failure prints a replay line that runs from the project as it is: npx, the project\'s paths', async () => {
    writeFileSync(join(project, 'broken-adapter.ts'), `import create from './my-adapter.ts';\nexport default (ctx: Parameters<typeof create>[0]) => ({ ...create(ctx), share: async () => { throw new Error('not ready'); } });\n`);
    const { code, output } = await inProject('npx', ['sct-conformance', 'run', '--quiet', '--seed', '5', '--role', 'sender', '--adapter', './broken-adapter.ts', '--name', 'provisions a shared', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(1);
    // Where in the implementer's own code it threw, not the harness's frames.
    expect(output).toMatch(/why: share\(\) of the credential app on Alice's phone threw \(at broken-adapter\.ts:2\): Error: not ready/);
    const replay = /^ {4}replay: (SCT_SEED=5 npx sct-conformance run --role sender --adapter broken-adapter\.ts --name .* features\/provisioning\/stateless\.feature:\d+)$/m.exec(output)?.[1];
    expect(replay, output).toBeDefined();
    const again = await inProject('sh', ['-c', `${replay!} --quiet`]);
    expect(again.code, again.output).toBe(1);
    expect(again.output).toMatch(/^conformance: 0 passed, 1 failed, 0 skipped$/m);
  });

  it("a typo in the project's own feature: the closest sentences, the catalog inside the package, and the dry run to repeat", async () => {
    mkdirSync(join(project, 'features'), { recursive: true });
    writeFileSync(join(project, 'features', 'draft.feature'), 'Feature: Draft\n\n  Scenario: A draft\n    Given Alice and Bob have phones with the credential app, on Signal\n    When Alice shraes a car key with Bob\n');
    const { code, output } = await inProject('npx', ['sct-conformance', 'run', '--dry-run', 'features/draft.feature']);
    expect(code, output).toBe(2);
    expect(output).toContain('at features/draft.feature:5');
    expect(output).toContain('When Alice shares a car key with Bob');
    expect(output).toContain('every sentence you can use: node_modules/sct-conformance/docs/steps.md');
    expect(output).toMatch(/replay: npx sct-conformance run --dry-run features\/draft\.feature:3$/m);
  });

  it('works the same in an ES module project', async () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-credential-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
    const { code, output } = await inProject('npx', ['sct-conformance', 'run', '--quiet', '--seed', '5', '--role', 'receiver', '--adapter', './my-adapter.ts', '--name', 'provisions a shared', 'features/provisioning/stateless.feature']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^conformance: [1-9]\d* passed, 0 failed, 0 skipped$/m);
  });

  it('`npx sct-conformance --help` lists the options with examples', async () => {
    const { code, output } = await inProject('npx', ['sct-conformance', '--help']);
    expect(code, output).toBe(0);
    for (const option of ['--adapter', '--adapter-cmd', '--expected-failures', '--role', '--seed', '--name', '--tags', '--dry-run', '--fail-fast', '--quiet', '--reports', '--timeout', '--shard']) expect(output).toContain(option);
    expect(output).toContain('Examples:');
    expect(output).toContain('npx sct-conformance run --adapter ./my-adapter.ts');
  });
});
