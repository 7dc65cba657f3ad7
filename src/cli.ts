/**
 * The command line: `sct-conformance run [options] [feature paths]`.
 *
 * Picks the seed (SCT_SEED or --seed, else a fresh one) and prints it, selects the adapter
 * (SCT_ADAPTER or --adapter, else the reference app), plans the run (a usage error when it would
 * check nothing), and hands it to the supervisor (src/run/supervisor.ts), which runs the scenarios
 * in a child process and ends with one line `conformance: N passed, N failed, N skipped`. The exit
 * code is one of src/run/exit-codes.ts, and the process always ends explicitly.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { COMMAND_PREFIX, REFERENCE_ADAPTER, adapterSpec } from './adapter/load.ts';
import { parseRole, type Role } from './roles.ts';
import { runSeed } from './seed.ts';
import { parseTransport, runTransport } from './sim/transport/index.ts';
import { simulationEpoch } from './sim/clock.ts';
import { EXIT, UsageError, type ExitCode } from './run/exit-codes.ts';
import { lockReports } from './run/lock.ts';
import { planRun } from './run/plan.ts';
import { parseShard, selectShard } from './run/shard.ts';
import { runTimeouts } from './run/timeouts.ts';
import { expectedFailuresBeside, readExpectedFailures } from './run/expected.ts';
import { ChildPool } from './run/pool.ts';
import { REPORT_SETS, type ReportSet } from './run/messages.ts';
import { supervise, type RunResult } from './run/supervisor.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const USAGE = `Usage: sct-conformance run [options] [feature files or folders]
       sct-conformance explore [options]   (exploration runs: sct-conformance explore --help)
       sct-conformance interop [options]   (every app against every other: sct-conformance interop --help)
       sct-conformance host <module>       (runs an in-process adapter behind the adapter protocol)
       sct-conformance report [--reports <dir>] [--merge <dir>...] [--history <dir>]
                                           (the Allure HTML report of a run, or of shards merged)

Options:
  --adapter <module>   credential app adapter to test (default: the reference app; env SCT_ADAPTER):
                       a TypeScript/JavaScript module, or an app in its own process described by
                       a manifest (sct-adapter.json; docs/adapter-protocol.md).
                       Give it more than once to run the same scenarios against each app in
                       turn: each app gets its own summary and reports folder (<reports>/<app>)
  --adapter-cmd <cmd>  an app in its own process, started with this command line (run by /bin/sh
                       in the current folder), speaking the adapter protocol on stdin/stdout
  --expected-failures <file>
                       what the app is known to fail, each with a reason: those failures are
                       counted apart, and the run fails only on a difference (default: the file
                       <adapter name>.expected-failures.json beside the adapter, if there is one;
                       "none": every failure counts)
  --role <role>        run only one pass: sender, receiver or both (the app under test on every
                       phone). Default: a sender pass and a receiver pass, the reference app
                       playing the other side
  --seed <n>           replay a run with this seed (env SCT_SEED)
  --transport <name>   how the phones reach the simulated server: direct (an in-process call) or
                       msw (a real fetch, intercepted); the same traces either way
                       (default: direct; env SCT_TRANSPORT; docs/decisions.md says why)
  --name <regexp>      run only scenarios whose name matches
  --tags <expression>  run only scenarios matching a tag expression, e.g. "@req=R-ONCE-1"
  --dry-run            check that every step binds, run nothing
  --fail-fast          stop at the first scenario that fails: the rest are counted as skipped
                       (a quicker red; the mutation run uses it)
  --quiet              no per-step output (results are still written to the reports folder)
  --reports <dir>      where Allure results, JUnit XML and Cucumber messages go (default: reports)
  --report <set>       what goes there: all (default), or junit: only the JUnit XML, no Allure
                       results, Cucumber messages or traces (a quicker run, for a local loop or a
                       CI job that reads only the verdict)
  --timeout <seconds>  real time one scenario may take before it is failed as hanging (default: 60)
  --shard <i/n>        run only shard i of n (CI machines in parallel, same seed on each): the
                       planned scenario runs are dealt out by feature file and line, the same way
                       for any seed; the n shards together are the whole run, none run twice.
                       Merge their reports with sct-conformance report --merge <dir>...
  -h, --help           this text

Environment: SCT_PEER_ADAPTER=<module> runs that adapter instead of the reference app on the
phones playing the other side (the mutation run uses it: docs/mutation.md). SCT_FROM_SOURCES=1
runs the harness's TypeScript through tsx instead of its compiled copy (slower; src/compiled/).

Paths: an adapter, manifest or --expected-failures file is relative to the current folder (a
manifest's own "cwd" and "command" are relative to the manifest's folder); a feature path too, and
one not found there is looked up in the package's own features, so "features/transport" works from
any project.

Examples:
  npx sct-conformance run --adapter ./my-adapter.ts              your app, both role passes
  npx sct-conformance run --adapter ./sct-adapter.json           your app in its own process (any language)
  npx sct-conformance run --adapter-cmd "python3 app.py"         the same, without a manifest
  npx sct-conformance run --adapter ./v1.ts --adapter ./v2.ts    two apps in turn, reports/<app>/ each
  npx sct-conformance run --adapter ./my-adapter.ts --expected-failures ./known.json
  npx sct-conformance run --adapter ./my-adapter.ts --role sender
  npx sct-conformance run --seed 1234                            replay a run (same as SCT_SEED=1234)
  npx sct-conformance run --name 'exactly once'                  scenarios whose name matches
  npx sct-conformance run --tags '@req=R-EXPIRY-1'               the scenarios of one requirement
  npx sct-conformance run --dry-run features/draft.feature       does every step bind?
  npx sct-conformance run --fail-fast --quiet                    a quick red, no per-step output
  npx sct-conformance run --reports out --timeout 120            reports in out/, slow app
  npx sct-conformance run features/transport/retries.feature:37  one scenario, by line
  npx sct-conformance run --adapter ./my-adapter.ts --seed 7 --shard 1/4 --reports shard-1
                                                                 one CI machine's quarter of the run
  npx sct-conformance report --merge shard-1 shard-2 shard-3 shard-4 --reports merged
                                                                 one Allure report of the four

Exit codes: 0 every selected scenario passed; 1 a scenario failed (the app broke a rule or
misbehaved); 2 usage error (nothing was checked: bad option, path, feature or adapter);
3 harness error (the verdict is incomplete).`;

export async function main(argv: string[]): Promise<ExitCode> {
  // Where the user is: replay lines and paths are printed as they would type them there (src/run/where.ts).
  process.env.SCT_CWD ||= process.cwd();
  if (argv[0] === 'explore') return (await import('./explore/cli.ts')).exploreMain(argv.slice(1));
  if (argv[0] === 'interop') return (await import('./interop/interop.ts')).interopMain(argv.slice(1));
  if (argv[0] === 'host') return (await import('./host/host.ts')).hostMain(argv.slice(1)) as Promise<ExitCode>;
  if (argv[0] === 'report') return reportMain(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        adapter: { type: 'string', multiple: true },
        'adapter-cmd': { type: 'string', multiple: true },
        'expected-failures': { type: 'string' },
        seed: { type: 'string' },
        transport: { type: 'string' },
        name: { type: 'string', multiple: true },
        tags: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'fail-fast': { type: 'boolean' },
        shard: { type: 'string' },
        quiet: { type: 'boolean' },
        reports: { type: 'string', default: 'reports' },
        report: { type: 'string', default: 'all' },
        role: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...paths] = positionals;
  if (values.help) {
    console.log(USAGE);
    return EXIT.PASSED;
  }
  if (command !== 'run') throw new UsageError(`${command ? `unknown command "${command}"` : 'no command given'}\n\n${USAGE}`);
  if (values.seed) process.env.SCT_SEED = values.seed;
  const seed = usage(() => runSeed());
  const transport = usage(() => (values.transport === undefined ? runTransport() : parseTransport(values.transport)));
  const timeouts = runTimeouts(values.timeout);
  const report = values.report as ReportSet;
  if (!REPORT_SETS.includes(report)) throw new UsageError(`--report is "${values.report}": it takes ${REPORT_SETS.join(' or ')}`);
  const commands = (values['adapter-cmd'] ?? []).map((command) => {
    if (!command.trim()) throw new UsageError('--adapter-cmd is empty: give the command that starts the app, e.g. --adapter-cmd "python3 app.py"');
    // The scenario runner starts it in this folder; the replay line repeats the option.
    return { path: `${COMMAND_PREFIX}${command}`, arg: `${COMMAND_PREFIX}${command}` };
  });
  const modules = values.adapter?.length || commands.length ? (values.adapter ?? []).map((given) => ({ given, path: resolve(given) })) : [{ given: undefined, path: adapterSpec() }];
  const apps = [
    ...modules.map(({ given, path }) => {
      if (path.startsWith(COMMAND_PREFIX)) return { path, arg: path }; // SCT_ADAPTER=cmd:...
      const what = path.endsWith('.json') ? 'manifest' : 'module';
      if (!existsSync(path)) throw new UsageError(`Adapter ${what} "${given ?? path}" was not found (looked for ${path})`);
      return { path, arg: path === REFERENCE_ADAPTER ? undefined : relative(process.cwd(), path) };
    }),
    ...commands,
  ];
  // The app on the other phones (steps/support/world.ts): the reference app unless SCT_PEER_ADAPTER names another.
  const peer = process.env.SCT_PEER_ADAPTER?.trim() || undefined;
  if (peer && !existsSync(resolve(peer))) throw new UsageError(`Peer adapter module "${peer}" (SCT_PEER_ADAPTER) was not found (looked for ${resolve(peer)})`);
  // A dry run only checks that steps bind: one pass over every scenario is enough.
  const roles: Role[] = values.role ? [usage(() => parseRole(values.role))] : values['dry-run'] ? ['both'] : ['sender', 'receiver'];

  // Paths are the user's, relative to where they run the command (or else to the package's own
  // features, for a project that installed it); `file:line` keeps its line.
  const located = paths.map((p) => {
    const [, file, lines] = /^(.*?)((?::\d+)*)$/.exec(p)!;
    const path = !existsSync(resolve(file!)) && existsSync(resolve(ROOT, file!)) ? resolve(ROOT, file!) : resolve(file!);
    return relative(ROOT, path) + lines;
  });
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const whole = await planRun({ paths: located, names: values.name, tags: values.tags, roles }, ROOT);
  const plan = shard ? selectShard(whole, shard) : whole;
  // Simulated time starts far from today, at an instant the seed picks (src/sim/clock.ts): shown for reading traces.
  const start = new Date(simulationEpoch(seed)).toISOString();
  const names = apps.map((app) => app.arg ?? 'the reference app');
  const several = apps.length > 1;
  console.log(`sct-conformance: seed ${seed} (replay with SCT_SEED=${seed}), simulated time from ${start}, transport ${transport}, ${several ? `${apps.length} apps` : `adapter ${names[0]}`}${peer ? `, peer ${peer}` : ''}${shard ? `, shard ${shard.index} of ${shard.count} (${whole.length} scenario runs in all)` : ''}, ${plan.length} scenario run(s)${several ? ' each' : ''}`);

  // The expected failures: the file given (for a single app), else the one beside each adapter.
  // `none`: every failure counts, whatever list lies beside the adapter.
  const given = values['expected-failures'];
  if (given && given !== 'none' && apps.length > 1) throw new UsageError('--expected-failures names one app\'s list: with several apps, put each list beside its adapter (<adapter name>.expected-failures.json)');
  const lists = new Map(
    apps.map((app) => {
      const file = given === 'none' ? undefined : given ? resolve(given) : expectedFailuresBeside(app.path);
      if (file && !existsSync(file)) throw new UsageError(`Expected failures "${values['expected-failures']}" were not found (looked for ${file})`);
      return [app.path, file ? readExpectedFailures(file) : undefined] as const;
    }),
  );
  const expectedFor = (path: string) => lists.get(path);
  const reports = resolve(values.reports!);
  const unlock = lockReports(reports, names.join(', '));
  const pool = new ChildPool();
  const folders = reportFolders(apps.map((app) => app.path));
  try {
    const results: RunResult[] = [];
    for (const [i, app] of apps.entries()) {
      const folder = several ? resolve(reports, folders[i]!) : reports;
      if (several) console.log(`\n== app: ${names[i]} (reports in ${shown(folder)})`);
      // allure-cucumberjs never clears its folder: old results would mix into this run's report.
      rmSync(resolve(folder, 'allure-results'), { recursive: true, force: true });
      rmSync(resolve(folder, 'traces'), { recursive: true, force: true });
      // So are an earlier run's Cucumber messages (this run may have other passes: a dry run has one).
      // (and the Allure formatter's own output file: `--report junit` writes none).
      if (existsSync(folder)) for (const file of readdirSync(folder)) if (/^cucumber-messages-.*\.ndjson$|^allure-formatter\.out$/.test(file)) rmSync(resolve(folder, file), { force: true });
      const run = () =>
        supervise(
          plan,
          {
            seed,
            transport,
            adapter: app.path,
            adapterArg: app.arg,
            reports: folder,
            ...(report === 'all' ? {} : { report }),
            quiet: values.quiet ?? false,
            dryRun: values['dry-run'] ?? false,
            failFast: values['fail-fast'] ?? false,
            ...timeouts,
            // Shown on the report's overview: what to replay this run with.
            environment: { seed: String(seed), simulatedStart: start, transport, adapter: names[i]!, ...(peer ? { peer } : {}), roles: roles.join(', '), ...(shard ? { shard: `${shard.index} of ${shard.count}` } : {}), node: process.version },
            ...(several ? { label: names[i] } : {}),
            ...(expectedFor(app.path) ? { expected: expectedFor(app.path) } : {}),
            ...(given === 'none' && expectedFailuresBeside(app.path) ? { listIgnored: true } : {}),
          },
          pool,
        );
      // One app's adapter failing to load is that app's usage error; the others still run.
      results.push(several ? await run().catch((error: unknown) => appUsageError(error, names[i]!)) : await run());
    }
    if (!several) return results[0]!.code;
    // The closing line over every app, in the form CI reads; the exit code is the worst app's.
    const sum = (key: 'passed' | 'failed' | 'skipped') => results.reduce((total, r) => total + r[key], 0);
    console.log(`\napps: ${results.filter((r) => r.code === EXIT.PASSED).length} of ${apps.length} passed`);
    console.log(`conformance: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
    return worstExit(results.map((r) => r.code));
  } finally {
    pool.close();
    unlock();
  }
}

/**
 * `sct-conformance report ...`: `npm run report` (src/report.ts) for a project that installed the
 * package, where that script is not its own. Run as a process of its own: the script reads its argv.
 */
function reportMain(args: string[]): Promise<ExitCode> {
  const script = fileURLToPath(new URL('./report.ts', import.meta.url));
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => done((code ?? EXIT.HARNESS) as ExitCode));
  });
}

/** A folder as the user would type it: relative to where they are when it is below, else absolute. */
function shown(folder: string): string {
  const rel = relative(process.cwd(), folder);
  return rel && !rel.startsWith('..') ? rel : folder;
}

/** A multi-app run goes on past an app whose adapter does not load: its block says so, its code is 2. */
function appUsageError(error: unknown, name: string): RunResult {
  if (!(error instanceof UsageError)) throw error;
  console.log(`  not run: ${name}: ${error.message}`);
  console.log(`conformance [${name}]: 0 passed, 0 failed, 0 skipped`);
  return { code: EXIT.USAGE, passed: 0, failed: 0, skipped: 0 };
}

/** Worst first: a harness error leaves a verdict incomplete, then nothing checked, then a failure. */
function worstExit(codes: ExitCode[]): ExitCode {
  for (const code of [EXIT.HARNESS, EXIT.USAGE, EXIT.FAILED]) if (codes.includes(code)) return code;
  return EXIT.PASSED;
}

/** One folder name per app: the module's file name without extension, numbered when two clash. */
function reportFolders(paths: string[]): string[] {
  const base = paths.map((path) =>
    path.startsWith(COMMAND_PREFIX)
      ? path.slice(COMMAND_PREFIX.length).replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'app'
      : basename(path).replace(/\.[cm]?[jt]s$|\.json$/, '') || 'app',
  );
  return base.map((name, i) => (base.filter((b) => b === name).length > 1 ? `${name}-${base.slice(0, i + 1).filter((b) => b === name).length}` : name));
}

/** Runs `parse`; a problem with what the user typed is a usage error. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

// Exit once stdout took everything written so far: on a pipe or socket Node writes
// asynchronously, and process.exit() would cut off a long summary still queued.
const exitAfterOutput = (code: number) => void process.stdout.write('', () => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`sct-conformance: ${error.message}`);
      console.log(process.argv[2] === 'explore' ? 'explore: 0 runs, 0 failed' : 'conformance: 0 passed, 0 failed, 0 skipped');
      process.exit(EXIT.USAGE);
    }
    console.error(`sct-conformance: the harness failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(EXIT.HARNESS);
  },
);
