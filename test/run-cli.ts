/** Runs the conformance CLI in a child process, as an implementer or CI would. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return runCliWithReports(args, env, () => undefined);
}

/**
 * Runs the CLI and also names the scenarios that passed, as "[role] scenario", read from the
 * JUnit report of each pass (the CLI prints only the failed ones).
 */
export async function runCliWithPassed(args: string[], env: Record<string, string> = {}) {
  return runCliWithReports(args, env, (reports) => passedScenarios(reports));
}

/** Runs the CLI and hands its reports folder to `inspect` before the folder goes: `passed` is what `inspect` returned. */
export function runCliWithReports<T>(args: string[], env: Record<string, string>, inspect: (reports: string) => T): Promise<{ code: number; output: string; passed: T }> {
  const reports = mkdtempSync(join(tmpdir(), 'sct-cli-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/sct-conformance.js', 'run', '--quiet', '--reports', reports, ...args],
      { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '', ...env } },
      (error, stdout, stderr) => {
        const passed = inspect(reports);
        rmSync(reports, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, passed });
      },
    );
  });
}

/** The scenario names the CLI lists as failed. */
export const failedScenarios = (output: string) =>
  [...output.matchAll(/^ {2}failed: (.*) \([^()]*\)$/gm)].map((m) => m[1]).sort();

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) =>
    name.startsWith('#x') ? String.fromCodePoint(parseInt(name.slice(2), 16)) : name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (XML_ENTITIES[name] ?? whole),
  );

/** "[role] scenario" (the test case's name, src/run/junit.ts) for each test case of the junit-*.xml files with neither a failure nor a skip. */
export function passedScenarios(reports: string): string[] {
  const passed: string[] = [];
  for (const file of readdirSync(reports).filter((f) => /^junit-.*\.xml$/.test(f))) {
    const xml = readFileSync(join(reports, file), 'utf8');
    for (const [, name, body] of xml.matchAll(/<testcase [^>]*?\bname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      if (!/<(failure|skipped|error)\b/.test(body ?? '')) passed.push(unescapeXml(name!));
    }
  }
  return passed.sort();
}

/** One app's part of a run of several apps: its block of output, counts and the exit code it would have alone. */
export interface AppResult {
  output: string;
  code: number;
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Runs several apps in one CLI run (`--adapter` repeated: one process start, and one child
 * process reused while the apps leave it clean), returning each app's block of the output by
 * the adapter path as given. The run's own exit code and whole output come too.
 */
export async function runApps(adapters: string[], args: string[], env: Record<string, string> = {}) {
  const { code, output } = await runCli([...adapters.flatMap((a) => ['--adapter', a]), ...args], env);
  const apps = new Map<string, AppResult>();
  // One app prints the plain single-app form; several, a block each and then the run's own
  // closing lines (every app together), which follow the last app's block.
  const blocks = adapters.length === 1 ? [output] : output.replace(/^apps: \d+ of \d+ passed\n[\s\S]*$/m, '').split(/^== app: /m).slice(1);
  for (const [i, block] of blocks.entries()) {
    const name = adapters.length === 1 ? '' : (/^(.*?) \(reports in /.exec(block)?.[1] ?? '?');
    const closing = name ? `conformance \\[${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]` : 'conformance';
    const counts = new RegExp(`^${closing}: (\\d+) passed, (\\d+) failed, (\\d+) skipped(?:, \\d+ failed as expected)?$`, 'm').exec(block);
    const [passed, failed, skipped] = counts ? counts.slice(1).map(Number) : [0, 0, 0];
    const appCode = /^ {2}harness error: |^harness errors: /m.test(block) ? 3 : /^ {2}not run: |^not runnable: /m.test(block) || !counts ? 2 : failed! > 0 ? 1 : 0;
    // Blocks come in the order the apps were given (the reference app is named "the reference app").
    apps.set(adapters[i]!, { output: block, code: appCode, passed: passed!, failed: failed!, skipped: skipped! });
  }
  return { code, output, apps };
}

/**
 * Splits apps into runs of `size` (each a `runApps`), at most `parallel` of them at once across
 * every call sharing the returned function: each app's result is a promise of its own, so a test
 * per app awaits only its batch.
 */
export function batchedRuns(parallel: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    if (running >= parallel) await new Promise<void>((go) => waiting.push(go));
    running++;
  };
  const free = () => {
    running--;
    waiting.shift()?.();
  };
  return (adapters: string[], args: string[], size: number): Map<string, Promise<AppResult & { run: string }>> => {
    const results = new Map<string, Promise<AppResult & { run: string }>>();
    // Even batches: 17 apps in batches of at most 8 are 5, 6 and 6, not 8, 8 and 1 (and 31 in
    // batches of 6 are six of 5 or 6, never one of 1: an app alone prints the single-app form).
    const batches = Math.ceil(adapters.length / size);
    for (let b = 0; b < batches; b++) {
      const batch = adapters.slice(Math.floor((b * adapters.length) / batches), Math.floor(((b + 1) * adapters.length) / batches));
      const run = (async () => {
        await slot();
        try {
          return await runApps(batch, args);
        } finally {
          free();
        }
      })();
      for (const adapter of batch) {
        const result = run.then(({ apps, output }) => {
          const app = apps.get(adapter);
          if (!app) throw new Error(`${adapter} has no block in the run's output:\n${output}`);
          return { ...app, run: output };
        });
        // Handled by the test that awaits it; one filtered out must not count as unhandled.
        result.catch(() => undefined);
        results.set(adapter, result);
      }
    }
    return results;
  };
}
