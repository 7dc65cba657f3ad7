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

function runCliWithReports<T>(args: string[], env: Record<string, string>, inspect: (reports: string) => T): Promise<{ code: number; output: string; passed: T }> {
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

/** "[role] scenario" for each test case of junit-<role>.xml files with neither a failure nor a skip. */
function passedScenarios(reports: string): string[] {
  const passed: string[] = [];
  for (const file of readdirSync(reports).filter((f) => /^junit-\w+\.xml$/.test(f))) {
    const role = file.slice('junit-'.length, -'.xml'.length);
    const xml = readFileSync(join(reports, file), 'utf8');
    for (const [, name, body] of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      if (!/<(failure|skipped|error)\b/.test(body ?? '')) passed.push(`[${role}] ${unescapeXml(name!)}`);
    }
  }
  return passed.sort();
}
