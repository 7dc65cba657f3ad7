/**
 * `sct-conformance explore`: exploration runs from the command line. Prints the seed first, a
 * progress line every 100 plans, and either "no counterexample" or the shrunk counterexample in
 * words with the problems found and the one command that replays it; writes the counterexample's
 * plan and trace to <reports>/explore/. Ends with `explore: N runs, N failed` and an exit code of
 * src/run/exit-codes.ts (0 nothing found, 1 a counterexample, 2 usage, 3 the harness failed).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REFERENCE_ADAPTER, adapterSpec, loadAdapter, type LoadedAdapter } from '../adapter/load.ts';
import { parseRole } from '../roles.ts';
import { runSeed } from '../seed.ts';
import { EXIT, UsageError, type ExitCode } from '../run/exit-codes.ts';
import { shellQuote } from '../run/replay.ts';
import { describePlan, explore, type Plan } from './index.ts';
import { playPlan } from './story.ts';

export const EXPLORE_USAGE = `Usage: sct-conformance explore [options]

Plays Alice sharing a credential with Bob under randomly generated fault plans (delays,
reordering, duplicates, lost acks and answers, 5xx, 429 with Retry-After, phones going offline
and back, cancels, reinstalls, a deleted account, forged and crafted messages, credentials up to
the largest allowed), the app under test as the sender or the receiver and the reference app on
the other side, and checks the protocol monitor's invariants, the sender's rules and that every
share ends as the plan explains (docs/exploration.md). A failing plan is shrunk to a smaller one before it is printed.

Options:
  --adapter <module>   credential app adapter to explore (default: the reference app; env SCT_ADAPTER)
  --runs <n>           how many plans to try (default: 100)
  --seed <n>           the seed that generates the plans (env SCT_SEED; default: a fresh one, printed)
  --path <path>        replay one plan: the path a counterexample printed (with its --seed)
  --role <role>        only plans with the app under test as the sender or as the receiver
  --reports <dir>      where the counterexample's plan and trace go (default: reports)
  -h, --help           this text`;

const DEFAULT_RUNS = 100;

export async function exploreMain(argv: string[]): Promise<ExitCode> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        adapter: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        path: { type: 'string' },
        role: { type: 'string' },
        reports: { type: 'string', default: 'reports' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${EXPLORE_USAGE}`);
  }
  if (values.help) {
    console.log(EXPLORE_USAGE);
    return EXIT.PASSED;
  }
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs "${values.runs}" is not a positive whole number`);
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) throw new UsageError(`--path "${values.path}" is not a counterexample's path (numbers joined by ":")`);
  if (values.seed) process.env.SCT_SEED = values.seed;
  if (values.adapter) {
    if (!existsSync(values.adapter)) throw new UsageError(`Adapter module "${values.adapter}" was not found (looked for ${resolve(values.adapter)})`);
    process.env.SCT_ADAPTER = resolve(values.adapter);
  }
  const seed = usage(() => runSeed());
  const role = values.role === undefined ? undefined : usage(() => parseRole(values.role));
  if (role === 'both') throw new UsageError('--role both does not apply to explore: the app under test plays the sender or the receiver, the reference app the other side');
  const spec = adapterSpec();
  const adapterArg = spec === REFERENCE_ADAPTER ? undefined : relative(process.cwd(), spec);
  let underTest: LoadedAdapter;
  let reference: LoadedAdapter;
  try {
    underTest = await loadAdapter(spec);
    reference = spec === REFERENCE_ADAPTER ? underTest : await loadAdapter(REFERENCE_ADAPTER);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const roles = role ? [role] : (['sender', 'receiver'] as const);
  const replayWords = values.path ? `replaying the plan at path ${values.path}` : `${runs} run(s)`;
  console.log(`sct-conformance explore: seed ${seed} (replay with --seed ${seed}), adapter ${adapterArg ?? 'the reference app'}, ${replayWords}, app under test as ${roles.join(' or ')}`);

  let played = 0;
  const result = await explore(
    { underTest, reference },
    {
      runs,
      seed,
      path: values.path,
      roles: [...roles],
      onRun: () => {
        played++;
        if (played % 100 === 0) console.log(`explore: ${played} plans played`);
      },
    },
  );
  const reports = resolve(values.reports!, 'explore');
  if (result.harness.length) {
    // Not the app's fault, and not a verdict on it: the plans go to a file, for us to fix the harness.
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, 'harness-problems.json'), `${JSON.stringify(result.harness, null, 2)}\n`);
    for (const { plan, problems } of result.harness.slice(0, 3)) {
      console.error(`sct-conformance: the harness or the reference app failed in a plan (not the app's fault):\n${indent(describePlan(plan))}\n${indent(problems)}`);
    }
    console.error(`sct-conformance: ${result.harness.length} plan(s) with harness problems, all in ${relative(process.cwd(), reports)}/harness-problems.json`);
  }
  const found = result.counterexample;
  if (found) {
    const command = [
      'npx sct-conformance explore',
      ...(adapterArg ? [`--adapter ${shellQuote(adapterArg)}`] : []),
      `--seed ${seed}`,
      `--path ${found.path}`,
    ].join(' ');
    // Played once more for its trace: the same plan and seed make the same run.
    const again = await playPlan(found.plan, { underTest, reference }, undefined, true);
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, 'counterexample.json'), `${JSON.stringify({ seed, path: found.path, command, plan: found.plan, problems: found.verdict.app }, null, 2)}\n`);
    writeFileSync(join(reports, 'counterexample-trace.json'), `${again.trace}\n`);
    console.log(
      [
        '',
        `Counterexample after ${result.runs} plan(s), shrunk ${found.shrinks} time(s):`,
        indent(describePlan(found.plan)),
        '',
        'What went wrong:',
        indent(found.verdict.app.flatMap((p) => p.split('\n'))),
        '',
        `Replay it: ${command}`,
        `Plan and trace: ${relative(process.cwd(), reports)}/counterexample.json, counterexample-trace.json`,
        '',
      ].join('\n'),
    );
  } else {
    console.log(`explore: no counterexample in ${result.runs} plan(s)`);
  }
  console.log(`explore: ${result.runs} runs, ${found ? 1 : 0} failed`);
  if (found) return EXIT.FAILED;
  return result.harness.length ? EXIT.HARNESS : EXIT.PASSED;
}

function indent(lines: string[]): string {
  return lines.map((l) => `    ${l}`).join('\n');
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export type { Plan };
