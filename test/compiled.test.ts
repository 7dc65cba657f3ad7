/**
 * The CLI and its scenario processes run the harness compiled by esbuild (src/compiled/): it must
 * be rebuilt whenever a source changes (never a stale harness), reused while none does, and give
 * the same verdicts, traces and stack frames as the TypeScript sources run through tsx.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledHarness, entryFile } from '../src/compiled/index.mjs';
import { runCliWithReports } from './run-cli.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the compiled harness', () => {
  it('is rebuilt when any source changes, reused while none does, and names a source that does not compile', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'sct-compiled-'));
    try {
      for (const folder of ['src', 'steps']) cpSync(join(ROOT, folder), join(copy, folder), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
      const first = await compiledHarness(copy);
      expect(first.dir, first.reason).toBeDefined();
      expect((await compiledHarness(copy)).dir).toBe(first.dir);
      for (const entry of ['cli', 'child', 'steps'] as const) expect(existsSync(entryFile(first.dir!, entry))).toBe(true);
      // Every step definition file is in the steps entry, in Cucumber's order.
      const steps = readFileSync(entryFile(first.dir!, 'steps'), 'utf8');
      expect(steps).toMatch(/steps\/accounts\.steps\.ts/);
      // A step file changed by one character: a new build, with the change in it.
      const file = join(copy, 'steps', 'time.steps.ts');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited\n`);
      const second = await compiledHarness(copy);
      expect(second.dir).toBeDefined();
      expect(second.dir).not.toBe(first.dir);
      // Paths computed from import.meta.url are the sources' own, not the build folder's.
      const compiledFiles = readdirSync(second.dir!).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(second.dir!, f), 'utf8')).join('\n');
      expect(compiledFiles).not.toMatch(/import\.meta\.url/);
      expect(compiledFiles).toContain(JSON.stringify(`file://${join(copy, 'src', 'adapter', 'load.ts')}`));
      // A source that does not compile: no build, and the reason names the file and line (the CLI then runs the sources through tsx).
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport const broken = ;\n`);
      const broken = await compiledHarness(copy);
      expect(broken.dir).toBeUndefined();
      expect(broken.reason).toMatch(/^the harness could not be compiled: steps\/time\.steps\.ts:\d+:\d+: Unexpected ";"$/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  // An implementer's adapter (TypeScript, through tsx) and one of our faulty apps (its compiled copy, src/compiled/typescript.ts).
  it.each([
    ['an adapter of its own', ['--adapter', 'test/fixtures/adapters/misbehaves.ts', '--name', 'provisions a shared', 'features/provisioning/stateless.feature'], /\(at test\/fixtures\/adapters\/misbehaves\.ts:\d+\)/],
    ['a faulty app of ours', ['--role', 'receiver', '--adapter', 'src/fakes/faulty/ignores-cancel.ts', '--expected-failures', 'none', '--name', 'cancel'], /failed: /],
  ])('gives the verdict, the traces and the named app frames that the sources through tsx give: %s', async (_, app, shows) => {
    const args = ['--seed', '11', ...(app as string[])];
    const traces = (reports: string) => {
      const dir = join(reports, 'traces');
      return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json')).sort().map((f) => readFileSync(join(dir, String(f)), 'utf8'));
    };
    const env = { SCT_MISBEHAVIOUR: 'timer-throws' };
    const [compiled, sources] = await Promise.all([
      runCliWithReports(args, env, traces),
      runCliWithReports(args, { ...env, SCT_FROM_SOURCES: '1' }, traces),
    ]);
    expect(compiled.code, compiled.output).toBe(1);
    expect(compiled.output).not.toMatch(/running the TypeScript sources/);
    expect(compiled.output).toMatch(shows as RegExp);
    expect(compiled.code).toBe(sources.code);
    expect(compiled.output.replace(/replay this run.*|in [\d.]+ s/g, '')).toBe(sources.output.replace(/replay this run.*|in [\d.]+ s/g, ''));
    expect(compiled.passed.length).toBeGreaterThan(0);
    expect(compiled.passed).toEqual(sources.passed);
  });
});
