/**
 * The command line: `sct-conformance run [options] [feature paths]`.
 *
 * Picks the seed (SCT_SEED or --seed, else a fresh one) and prints it, selects the adapter
 * (SCT_ADAPTER or --adapter, else the reference app), clears old Allure results, runs the
 * Cucumber suite and ends with one line `conformance: N passed, N failed, N skipped`.
 * Exits 0 only when no scenario failed.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { adapterSpec, loadAdapter } from './adapter/load.ts';
import { runSeed } from './seed.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const USAGE = `Usage: sct-conformance run [options] [feature files or folders]

Options:
  --adapter <module>   credential app adapter to test (default: the reference app; env SCT_ADAPTER)
  --seed <n>           replay a run with this seed (env SCT_SEED)
  --name <regexp>      run only scenarios whose name matches
  --tags <expression>  run only scenarios matching a tag expression, e.g. "@req=R-ONCE-1"
  --dry-run            check that every step binds, run nothing
  --quiet              no per-step output (results are still written to reports/)
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

  rmSync(resolve(ROOT, 'reports/allure-results'), { recursive: true, force: true });
  const { runConfiguration } = await loadConfiguration(
    {
      file: 'cucumber.mjs', // relative to cwd (ROOT)
      provided: {
        ...(paths.length ? { paths } : {}),
        ...(values.name ? { name: values.name } : {}),
        ...(values.tags ? { tags: values.tags } : {}),
        ...(values['dry-run'] ? { dryRun: true } : {}),
        ...(values.quiet ? { format: ['allure-cucumberjs/reporter:reports/allure-formatter.out', 'junit:reports/junit.xml', 'message:reports/cucumber-messages.ndjson'] } : {}),
      },
    },
    { cwd: ROOT },
  );
  const tally = new Tally();
  const { success } = await runCucumber(runConfiguration, { cwd: ROOT }, (m) => tally.add(m));
  console.log(`conformance: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped (seed ${seed})`);
  return success ? 0 : 1;
}

/** Counts scenario results from Cucumber's message stream. */
class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;
  private worst = new Map<string, number>();
  // Cucumber's step statuses, from best to worst: a scenario takes its worst step's status.
  private static readonly ORDER = ['PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

  add(message: Envelope): void {
    if (message.testStepFinished) {
      const { testCaseStartedId, testStepResult } = message.testStepFinished;
      const rank = Tally.ORDER.indexOf(testStepResult.status);
      this.worst.set(testCaseStartedId, Math.max(this.worst.get(testCaseStartedId) ?? 0, rank));
    }
    if (message.testCaseFinished && !message.testCaseFinished.willBeRetried) {
      const status = Tally.ORDER[this.worst.get(message.testCaseFinished.testCaseStartedId) ?? 0];
      if (status === 'PASSED') this.passed++;
      else if (status === 'SKIPPED') this.skipped++;
      else this.failed++;
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
