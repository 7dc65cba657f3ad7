/**
 * The command line: `sct-conformance run [options] [feature paths]`.
 *
 * Picks the seed (SCT_SEED or --seed, else a fresh one) and prints it, selects the adapter
 * (SCT_ADAPTER or --adapter, else the reference app), clears old Allure results, runs the
 * Cucumber suite and ends with one line `conformance: N passed, N failed, N skipped`.
 * Exits 0 only when no scenario failed.
 */
import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { REFERENCE_ADAPTER, adapterSpec, loadAdapter } from './adapter/load.ts';
import { ROLE_EXCLUDES, ROLE_TITLES, parseRole, type Role } from './roles.ts';
import { runSeed } from './seed.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const USAGE = `Usage: sct-conformance run [options] [feature files or folders]

Options:
  --adapter <module>   credential app adapter to test (default: the reference app; env SCT_ADAPTER)
  --role <role>        run only one pass: sender, receiver or both (the app under test on every
                       phone). Default: a sender pass and a receiver pass, the reference app
                       playing the other side
  --seed <n>           replay a run with this seed (env SCT_SEED)
  --name <regexp>      run only scenarios whose name matches
  --tags <expression>  run only scenarios matching a tag expression, e.g. "@req=R-ONCE-1"
  --dry-run            check that every step binds, run nothing
  --quiet              no per-step output (results are still written to the reports folder)
  --reports <dir>      where Allure results, JUnit XML and Cucumber messages go (default: reports)
  -h, --help           this text`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      adapter: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string', multiple: true },
      tags: { type: 'string' },
      'dry-run': { type: 'boolean' },
      quiet: { type: 'boolean' },
      reports: { type: 'string', default: 'reports' },
      role: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...paths] = positionals;
  if (values.help || command !== 'run') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.seed) process.env.SCT_SEED = values.seed;
  if (values.adapter) process.env.SCT_ADAPTER = resolve(values.adapter);
  const seed = runSeed();
  const spec = adapterSpec();
  await loadAdapter(spec); // fail early, with the loader's message, before Cucumber starts
  console.log(`sct-conformance: seed ${seed} (replay with SCT_SEED=${seed}), adapter ${spec}`);

  const reports = resolve(values.reports!);
  // allure-cucumberjs never clears its folder: old results would mix into this run's report.
  rmSync(resolve(reports, 'allure-results'), { recursive: true, force: true });
  rmSync(resolve(reports, 'traces'), { recursive: true, force: true });
  process.env.SCT_REPORTS = reports; // where the World writes each scenario's trace
  // A dry run only checks that steps bind: one pass over every scenario is enough.
  const roles: Role[] = values.role ? [parseRole(values.role)] : values['dry-run'] ? ['both'] : ['sender', 'receiver'];

  const total = new Tally();
  let support;
  for (const role of roles) {
    process.env.SCT_ROLE = role; // read by the World in each scenario
    const exclude = ROLE_EXCLUDES[role];
    const tags = [values.tags && `(${values.tags})`, exclude && `not ${exclude}`].filter(Boolean).join(' and ');
    const { runConfiguration } = await loadConfiguration(
      {
        file: 'cucumber.mjs', // relative to cwd (ROOT)
        provided: {
          ...(paths.length ? { paths } : {}),
          ...(values.name ? { name: values.name } : {}),
          ...(tags ? { tags } : {}),
          ...(values['dry-run'] ? { dryRun: true } : {}),
          format: [
            ...(values.quiet ? [] : ['pretty']),
            `allure-cucumberjs/reporter:${reports}/allure-formatter.out`,
            `junit:${reports}/junit-${role}.xml`,
            `message:${reports}/cucumber-messages-${role}.ndjson`,
          ],
          formatOptions: {
            resultsDir: `${reports}/allure-results`,
            // Shown on the report's overview: what to replay this run with.
            environmentInfo: { seed: String(seed), adapter: spec, roles: roles.join(', '), node: process.version },
          },
        },
      },
      { cwd: ROOT },
    );
    // Support code is imported once per process (ESM): load it once, reuse it in every pass.
    support ??= await loadSupport(runConfiguration, { cwd: ROOT });
    if (roles.length > 1) console.log(`\n== pass: ${ROLE_TITLES[role]}`);
    const tally = new Tally();
    await runCucumber({ ...runConfiguration, support }, { cwd: ROOT }, (m) => tally.add(m));
    for (const failure of tally.failures) {
      console.log(`  failed: ${roles.length > 1 ? `[${role}] ` : ''}${failure.name} (${failure.uri})`);
      console.log(`    replay: ${replayCommand(seed, role, spec === REFERENCE_ADAPTER ? undefined : relative(process.cwd(), spec), failure)}`);
    }
    if (roles.length > 1) console.log(`conformance [${role}]: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
    total.merge(tally);
  }
  console.log(`seed ${seed}: replay this run with SCT_SEED=${seed}`);
  // The closing line, alone and in the plain "N passed, N failed" form CI reads.
  console.log(`conformance: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed === 0 ? 0 : 1;
}

/** The command that runs one failed scenario again, alone, with the same seed and role. */
function replayCommand(seed: number, role: Role, adapter: string | undefined, failure: { name: string; uri: string }): string {
  const pattern = `^${failure.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`.replace(/'/g, `'\\''`);
  return [
    `SCT_SEED=${seed} npm run conformance --`,
    `--role ${role}`,
    ...(adapter ? [`--adapter ${adapter}`] : []),
    `--name '${pattern}'`,
    failure.uri,
  ].join(' ');
}

/** Counts scenario results from Cucumber's message stream. */
class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;
  readonly failures: Array<{ name: string; uri: string }> = [];
  private worst = new Map<string, number>();
  private pickles = new Map<string, { name: string; uri: string }>();
  private testCases = new Map<string, string>();
  private started = new Map<string, string>();
  // Cucumber's step statuses, from best to worst: a scenario takes its worst step's status.
  private static readonly ORDER = ['PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

  merge(other: Tally): void {
    this.passed += other.passed;
    this.failed += other.failed;
    this.skipped += other.skipped;
    this.failures.push(...other.failures);
  }

  add(message: Envelope): void {
    if (message.pickle) this.pickles.set(message.pickle.id, { name: message.pickle.name, uri: message.pickle.uri });
    if (message.testCase) this.testCases.set(message.testCase.id, message.testCase.pickleId);
    if (message.testCaseStarted) this.started.set(message.testCaseStarted.id, message.testCaseStarted.testCaseId);
    if (message.testStepFinished) {
      const { testCaseStartedId, testStepResult } = message.testStepFinished;
      const rank = Tally.ORDER.indexOf(testStepResult.status);
      this.worst.set(testCaseStartedId, Math.max(this.worst.get(testCaseStartedId) ?? 0, rank));
    }
    if (message.testCaseFinished && !message.testCaseFinished.willBeRetried) {
      const status = Tally.ORDER[this.worst.get(message.testCaseFinished.testCaseStartedId) ?? 0];
      if (status === 'PASSED') this.passed++;
      else if (status === 'SKIPPED') this.skipped++;
      else {
        this.failed++;
        const pickleId = this.testCases.get(this.started.get(message.testCaseFinished.testCaseStartedId) ?? '');
        this.failures.push(this.pickles.get(pickleId ?? '') ?? { name: 'an unnamed scenario', uri: '?' });
      }
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    let text = error instanceof Error ? error.message : String(error);
    for (let cause = (error as Error)?.cause; cause; cause = (cause as Error).cause) {
      text += `\n  caused by: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
    console.error(`sct-conformance: ${text}`);
    process.exitCode = 2;
  },
);
