/**
 * `sct-conformance interop`: every app against every other. For each ordered pair (A, B), app A
 * shares from Alice's phone and app B runs on every other phone, through every scenario in which
 * both sides are played by apps (src/interop/scripted.ts leaves out the rest). The referee is the
 * protocol monitor and the scenarios' assertions, never one of the two apps: a violation the
 * monitor finds is charged to the side whose phone broke it.
 *
 * Writes the matrix as Markdown (for a pull request) and JSON (for tools) in the reports folder.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { COMMAND_PREFIX, REFERENCE_ADAPTER } from '../adapter/load.ts';
import { runSeed } from '../seed.ts';
import { EXIT, UsageError, type ExitCode } from '../run/exit-codes.ts';
import { lockReports } from '../run/lock.ts';
import { planRun } from '../run/plan.ts';
import { runTimeouts } from '../run/timeouts.ts';
import { ChildPool } from '../run/pool.ts';
import { supervise } from '../run/supervisor.ts';
import { simulationEpoch } from '../sim/clock.ts';
import { matrixJson, matrixMarkdown, type Cell, type InteropApp } from './matrix.ts';
import { scriptedScenarios } from './scripted.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PYTHON_EXAMPLE = resolve(ROOT, 'examples/python/sct-adapter.json');

export const INTEROP_USAGE = `Usage: sct-conformance interop [options] [feature files or folders]

Runs every ordered pair of apps: the first shares (Alice's phone), the second receives (every
other phone), through every scenario both sides play as apps. Writes the matrix to
<reports>/interop-matrix.md and .json.

Options:
  --app <name>=<app>   an app: a TypeScript/JavaScript module, a manifest (sct-adapter.json) or
                       cmd:<command line>; give two or more (or one with --with-reference)
  --with-reference     add the reference app ("reference") and the Python example ("python")
  --seed <n>           replay a run with this seed (env SCT_SEED)
  --name <regexp>      only scenarios whose name matches
  --reports <dir>      where the matrix and each pair's reports go (default: reports/interop)
  --timeout <seconds>  real time one scenario may take (default: 60)
  --quiet              no per-step output
  -h, --help           this text

Exit codes: 0 every cell passed; 1 a cell failed; 2 usage error; 3 harness error.`;

export async function interopMain(argv: string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        app: { type: 'string', multiple: true },
        'with-reference': { type: 'boolean' },
        seed: { type: 'string' },
        name: { type: 'string', multiple: true },
        reports: { type: 'string', default: 'reports/interop' },
        timeout: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${INTEROP_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(INTEROP_USAGE);
    return EXIT.PASSED;
  }
  if (values.seed) process.env.SCT_SEED = values.seed;
  const seed = runSeed();
  const timeouts = runTimeouts(values.timeout);

  const apps: InteropApp[] = [
    ...(values['with-reference'] ? [{ name: 'reference', spec: REFERENCE_ADAPTER, arg: undefined }, { name: 'python', spec: PYTHON_EXAMPLE, arg: relative(process.cwd(), PYTHON_EXAMPLE) }] : []),
    ...(values.app ?? []).map(parseApp),
  ];
  const names = apps.map((a) => a.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`two apps are named "${twice}": give each --app a name of its own`);
  if (apps.length < 2) throw new UsageError(`interop needs at least two apps (--app <name>=<app>, or --with-reference), got ${apps.length}\n\n${INTEROP_USAGE}`);

  const located = positionals.map((p) => relative(ROOT, resolve(p)));
  const planned = await planRun({ paths: located, names: values.name, roles: ['sender'] }, ROOT);
  const scripted = scriptedScenarios(ROOT, planned.map((s) => s.uri));
  const plan = planned.filter((s) => !scripted.has(`${s.uri}:${s.line}`));
  if (plan.length === 0) throw new UsageError('every selected scenario needs a scripted or forged peer: nothing for two apps to play');
  const start = new Date(simulationEpoch(seed)).toISOString();
  console.log(`sct-conformance interop: seed ${seed} (replay with SCT_SEED=${seed}), ${apps.length} apps, ${apps.length ** 2} ordered pairs, ${plan.length} scenario(s) each (${scripted.size ? `${planned.length - plan.length} with a scripted peer left out` : 'none left out'})`);

  const reports = resolve(values.reports!);
  const unlock = lockReports(reports, `interop ${names.join(', ')}`);
  const pool = new ChildPool();
  const cells: Cell[] = [];
  try {
    for (const sender of apps) {
      for (const receiver of apps) {
        const folder = resolve(reports, `${sender.name}--${receiver.name}`);
        rmSync(folder, { recursive: true, force: true });
        console.log(`\n== sender ${sender.name}, receiver ${receiver.name} (reports in ${relative(process.cwd(), folder)})`);
        const result = await supervise(
          plan,
          {
            seed,
            adapter: sender.spec,
            adapterArg: sender.arg,
            peer: { spec: receiver.spec, interop: { sender: sender.name, receiver: receiver.name } },
            reports: folder,
            quiet: values.quiet ?? false,
            dryRun: false,
            ...timeouts,
            environment: { seed: String(seed), simulatedStart: start, sender: sender.name, receiver: receiver.name, node: process.version },
            label: `${sender.name} -> ${receiver.name}`,
          },
          pool,
        ).catch((error: unknown) => {
          if (!(error instanceof UsageError)) throw error;
          console.log(`  not run: ${error.message}`);
          return { code: EXIT.USAGE, passed: 0, failed: 0, skipped: 0, scenarios: [] };
        });
        cells.push({ sender: sender.name, receiver: receiver.name, folder: relative(reports, folder), code: result.code, scenarios: result.scenarios ?? [] });
      }
    }
  } finally {
    pool.close();
    unlock();
  }
  mkdirSync(reports, { recursive: true });
  const markdown = matrixMarkdown(apps, cells, seed);
  writeFileSync(resolve(reports, 'interop-matrix.md'), markdown);
  writeFileSync(resolve(reports, 'interop-matrix.json'), `${JSON.stringify(matrixJson(apps, cells, seed), null, 2)}\n`);
  console.log(`\n${markdown}`);
  console.log(`matrix written to ${relative(process.cwd(), resolve(reports, 'interop-matrix.md'))} and interop-matrix.json`);
  const green = cells.filter((c) => c.code === EXIT.PASSED).length;
  console.log(`interop: ${green} of ${cells.length} pairs passed`);
  for (const code of [EXIT.HARNESS, EXIT.USAGE, EXIT.FAILED]) if (cells.some((c) => c.code === code)) return code;
  return EXIT.PASSED;
}

/** `name=app`: a module or manifest path (relative to here), or cmd:<command line>. */
function parseApp(text: string): InteropApp {
  const match = /^([A-Za-z0-9][\w.-]*)=(.+)$/.exec(text);
  if (!match) throw new UsageError(`--app "${text}" is not <name>=<app> (e.g. --app acme=./sct-adapter.json)`);
  const [, name, given] = match;
  if (given!.startsWith(COMMAND_PREFIX)) return { name: name!, spec: given!, arg: given! };
  return { name: name!, spec: resolve(given!), arg: relative(process.cwd(), resolve(given!)) };
}
