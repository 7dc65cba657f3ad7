/**
 * The supervising process of a run. It never loads the app under test: it plans the run, starts
 * a child process (child.ts) that runs the scenarios, and watches it from outside its event
 * loop. A scenario that takes longer than the wall-clock limit (a hung app, a CPU loop) is
 * failed and its process stopped; a process that ends mid-run (the app exited or crashed) fails
 * the scenario it was in. Either way a new child runs the scenarios that are left, and the run
 * ends with every scenario accounted for, the closing line, and an exit code that means what
 * README.md says.
 */
import type { ChildProcess } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';
import { scenarioKey, type ChildJob, type ChildMessage, type ParentMessage, type RunSettings, type ScenarioKey, type ScenarioStatus } from './messages.ts';
import { ChildPool } from './pool.ts';
import type { PlannedScenario } from './plan.ts';
import { dryRunCommand, replayCommand } from './replay.ts';
import { runTransport } from '../sim/transport/choice.ts';
import { writeLostScenario } from './allure.ts';
import { writeJUnit } from './junit.ts';
import type { Role } from '../roles.ts';
import { ExpectedMatcher, markExpectedInAllure, type ExpectedFailures } from './expected.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface SuperviseOptions extends RunSettings {
  /** Real milliseconds one scenario may take before its process is stopped. */
  scenarioTimeoutMs: number;
  /** In a run of several apps, the app's name: its closing line says `conformance [<label>]: ...`. */
  label?: string;
  /** What the app is known to fail (src/run/expected.ts). */
  expected?: ExpectedFailures;
  /** A list lies beside the adapter but this run ignores it (`--expected-failures none`): replays ignore it too. */
  listIgnored?: boolean;
}

/** How a run ended: its exit code and the counts of its closing line. */
export interface RunResult {
  code: ExitCode;
  passed: number;
  failed: number;
  skipped: number;
  /** Failures on the expected-failures list: not counted in `failed`. */
  expected?: number;
  /** Each planned scenario's outcome, in plan order (for reports built over several runs: interop); `expected` is the listed reason. */
  scenarios?: Array<PlannedScenario & { status: ScenarioStatus; message?: string; expected?: string }>;
}

interface Outcome {
  status: ScenarioStatus;
  message?: string;
  /** Real milliseconds the scenario took, when the supervisor saw it start (for JUnit). */
  ms?: number;
}

/** Runs the plan; prints failures and the closing line; returns the exit code. */
export async function supervise(plan: PlannedScenario[], opts: SuperviseOptions, pool?: ChildPool): Promise<RunResult> {
  if (!pool) {
    const own = new ChildPool();
    try {
      return await supervise(plan, opts, own);
    } finally {
      own.close();
    }
  }
  const outcomes = new Map<ScenarioKey, Outcome>();
  const byKey = new Map(plan.map((s) => [scenarioKey(s.role, s.uri, s.line), s]));
  const strays: string[] = [];
  /** Stray failures that arrived before their scenario's result. */
  const late = new Map<ScenarioKey, string[]>();
  const charge = (key: ScenarioKey, message: string) => {
    const outcome = outcomes.get(key)!;
    if (outcome.status === 'passed') outcomes.set(key, { status: 'failed', message: `after the scenario ended, ${message}` });
  };
  const harnessErrors: string[] = [];
  const roles = [...new Set(plan.map((s) => s.role))];
  let segment = 0;

  while (outcomes.size < plan.length) {
    const left = plan.filter((s) => !outcomes.has(scenarioKey(s.role, s.uri, s.line)));
    const ended = await runChild(pool, left, segment++, roles.length > 1, opts, {
      finished: (key, outcome) => {
        if (!byKey.has(key) || outcomes.has(key)) return;
        outcomes.set(key, outcome);
        for (const message of late.get(key) ?? []) charge(key, message);
      },
      // App code failed between scenarios: the scenario that ran last fails (its app left it behind).
      stray: (message, after) => {
        if (!after) strays.push(message);
        else if (outcomes.has(after)) charge(after, message);
        else late.set(after, [...(late.get(after) ?? []), message]);
      },
      harnessError: (message) => harnessErrors.push(message),
    });
    if (ended.kind === 'load-failed') throw new UsageError(ended.message);
    if (ended.kind === 'lost' && ended.key) {
      const scenario = byKey.get(ended.key)!;
      outcomes.set(ended.key, { status: 'failed', message: ended.message, ms: Date.now() - ended.startedAt });
      if (opts.report !== 'junit') writeLostScenario(`${opts.reports}/allure-results`, scenario, ended.message, replayOf(scenario, opts), ended.startedAt);
    } else if (ended.kind === 'lost') {
      strays.push(ended.message);
    }
    if (ended.kind === 'harness') break;
    if (opts.failFast && [...outcomes.values()].some((o) => o.status === 'failed' || o.status === 'broken' || o.status === 'unbound')) {
      for (const s of plan) {
        const key = scenarioKey(s.role, s.uri, s.line);
        if (!outcomes.has(key)) outcomes.set(key, { status: 'skipped', message: 'not run: --fail-fast stopped the run at the first failure' });
      }
      break;
    }
    if (outcomes.size === plan.length - left.length) {
      // A child that ran none of what it was given would be started again for ever.
      harnessErrors.push(`the process running the scenarios ran none of the ${left.length} left (${ended.kind === 'lost' ? ended.message : ended.kind})`);
      break;
    }
  }

  return summarise(plan, outcomes, strays, harnessErrors, roles, opts);
}

type ChildEnd =
  | { kind: 'done' }
  | { kind: 'load-failed'; message: string }
  | { kind: 'harness' }
  /** The process died or was stopped; `key` is the scenario it was in, if any. */
  | { kind: 'lost'; key?: ScenarioKey; message: string; startedAt: number };

interface Listener {
  finished(key: ScenarioKey, outcome: Outcome): void;
  stray(message: string, after?: ScenarioKey): void;
  harnessError(message: string): void;
}

function runChild(pool: ChildPool, scenarios: PlannedScenario[], segment: number, headers: boolean, opts: SuperviseOptions, on: Listener): Promise<ChildEnd> {
  const passes: ChildJob['passes'] = [];
  for (const s of scenarios) {
    const last = passes.at(-1);
    const location = `${s.uri}:${s.line}`;
    if (last?.role === s.role) last.locations.push(location);
    else passes.push({ role: s.role, locations: [location] });
  }
  const { scenarioTimeoutMs: _parentOnly, expected, listIgnored, ...settings } = opts;
  const job: ChildJob = { ...settings, expectedList: Boolean(expected) || Boolean(listIgnored), segment, headers, passes };
  return new Promise((resolve) => {
    // The in-process guard on each app call fires well before the wall-clock limit, so a
    // handler that never settles is named as such rather than as a stopped scenario.
    const child: ChildProcess = pool.take(Math.min(10_000, Math.floor(opts.scenarioTimeoutMs / 4)));
    child.send({ type: 'job', job } satisfies ParentMessage);
    // The child runs its scenarios in this order: when it goes silent (a CPU loop blocks even its
    // messages), the first one not finished is the one it is in.
    const order = scenarios.map((s) => scenarioKey(s.role, s.uri, s.line));
    const finished = new Set<ScenarioKey>();
    let current: { key: ScenarioKey; startedAt: number } | undefined;
    let lastProgress = Date.now();
    let ready = false;
    /** The scenario the child is in: the one it said it started, else the first it has not finished. */
    const inProgress = () => {
      const next = order.find((k) => !finished.has(k));
      return current ?? (ready && next ? { key: next, startedAt: lastProgress } : undefined);
    };
    let end: ChildEnd | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stop = (result: ChildEnd) => {
      end ??= result;
      child.kill('SIGKILL');
    };
    const arm = (ms: number, onFire: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(onFire, ms);
    };
    /** Stops the child if the scenario it is in (known or inferred) runs past the limit. */
    const watch = () => {
      const limit = opts.scenarioTimeoutMs;
      arm(limit, () => {
        const running = inProgress();
        stop({
          kind: 'lost',
          key: running?.key,
          startedAt: running?.startedAt ?? lastProgress,
          message: `the scenario did not finish within ${limit / 1000} s of real time: the app hangs or loops (its process was stopped)`,
        });
      });
    };
    // Loading tsx, Cucumber and libsignal takes a few seconds; the module's own load is bounded in the child.
    arm(opts.loadTimeoutMs * 2 + 30_000, () =>
      stop({ kind: 'load-failed', message: `the adapter module "${opts.adapterArg ?? opts.adapter}" did not finish loading: the process loading it was stopped after ${(opts.loadTimeoutMs * 2 + 30_000) / 1000} s` }),
    );
    const onMessage = (raw: unknown) => {
      const message = raw as ChildMessage;
      switch (message.type) {
        case 'ready':
          if (!ready) {
            lastProgress = Date.now();
            watch();
          }
          ready = true;
          break;
        case 'load-failed':
          stop({ kind: 'load-failed', message: message.message });
          break;
        case 'started':
          current = { key: message.key, startedAt: Date.now() };
          watch();
          break;
        case 'finished':
          on.finished(message.key, { status: message.status, message: message.message, ...(current?.key === message.key ? { ms: Date.now() - current.startedAt } : {}) });
          finished.add(message.key);
          current = undefined;
          lastProgress = Date.now();
          watch();
          break;
        case 'stray-error':
          on.stray(message.message, message.after);
          break;
        case 'harness-error':
          on.harnessError(message.message);
          end ??= { kind: 'harness' };
          break;
        case 'done':
          end ??= { kind: 'done' };
          current = undefined;
          if (message.reusable && end.kind === 'done') {
            // The app left the process clean: it waits for the next app's job.
            clearTimeout(timer);
            child.off('message', onMessage);
            child.off('exit', onExit);
            pool.keep(child);
            resolve(end);
            break;
          }
          // The child exits by itself; stop it if the app's leftovers keep it alive.
          arm(5_000, () => child.kill('SIGKILL'));
          break;
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (!end) {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const running = inProgress();
        end = running
          ? { kind: 'lost', key: running.key, startedAt: running.startedAt, message: `the process running the scenario ended (${how}) before the scenario finished: the app ended it (process.exit, a crash, a kill)` }
          : ready
            ? { kind: 'lost', startedAt: Date.now(), message: `the process running the scenarios ended (${how}) between scenarios: the app ended it` }
            : { kind: 'load-failed', message: `the process loading the adapter module "${opts.adapterArg ?? opts.adapter}" ended (${how}) before it was loaded` };
      }
      resolve(end);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function replayOf(s: PlannedScenario, opts: SuperviseOptions): string {
  if (opts.dryRun) return dryRunCommand(s);
  return replayCommand({ seed: opts.seed, role: s.role, transport: opts.transport ?? runTransport(), adapter: opts.adapterArg, ignoreExpected: Boolean(opts.expected) || Boolean(opts.listIgnored), ...(opts.peer?.interop ? { pair: opts.peer.interop } : {}), peer: opts.peer?.spec ?? (process.env.SCT_PEER_ADAPTER?.trim() || undefined), name: s.name, uri: s.uri, line: s.line });
}

function summarise(
  plan: PlannedScenario[],
  outcomes: Map<ScenarioKey, Outcome>,
  strays: string[],
  harnessErrors: string[],
  roles: Role[],
  opts: SuperviseOptions,
): RunResult {
  // Expected failures (src/run/expected.ts): a listed failure is counted apart; a listed scenario that passed fails.
  const expected = new Map<ScenarioKey, string>();
  if (opts.expected) {
    const matcher = new ExpectedMatcher(opts.expected, ROOT, plan);
    for (const s of plan) {
      const key = scenarioKey(s.role, s.uri, s.line);
      const entry = matcher.entryFor(s);
      const outcome = outcomes.get(key);
      if (!entry || !outcome) continue;
      if (outcome.status === 'failed') expected.set(key, entry.reason);
      else if (outcome.status === 'passed') {
        outcomes.set(key, { status: 'failed', message: `it passed, but ${relative(process.cwd(), opts.expected.file)} lists it as an expected failure ("${entry.reason}"): remove it from the list` });
      }
    }
  }
  const count = (role: Role | undefined, ...statuses: ScenarioStatus[]) =>
    plan.filter((s) => {
      const key = scenarioKey(s.role, s.uri, s.line);
      return (!role || s.role === role) && !expected.has(key) && statuses.includes(outcomes.get(key)?.status ?? 'broken');
    }).length;
  const bad: ScenarioStatus[] = ['failed', 'broken', 'unbound'];
  console.log('');
  for (const role of roles) {
    for (const s of plan.filter((p) => p.role === role)) {
      const outcome = outcomes.get(scenarioKey(s.role, s.uri, s.line)) ?? { status: 'broken' as const, message: 'it never ran (the run stopped)' };
      const reason = expected.get(scenarioKey(s.role, s.uri, s.line));
      if (reason !== undefined) {
        console.log(`  failed as expected: ${roles.length > 1 ? `[${role}] ` : ''}${s.name} (${s.uri}:${s.line}): ${reason}`);
        continue;
      }
      if (!bad.includes(outcome.status)) continue;
      const kind = { failed: '', broken: ' (a harness error, not the app)', unbound: ' (a step does not bind)' }[outcome.status as 'failed'];
      console.log(`  failed: ${roles.length > 1 ? `[${role}] ` : ''}${s.name} (${s.uri}:${s.line})`);
      if (outcome.status === 'unbound') {
        // In full: where the step is and the sentences closest to it (src/authoring/suggest.ts).
        const [first, ...more] = (outcome.message ?? outcome.status).split('\n');
        console.log(`    why${kind}: ${first}`);
        for (const line of more) console.log(`      ${line}`);
      } else console.log(`    why${kind}: ${firstLines(outcome.message ?? outcome.status)}`);
      // A dry run binds steps and nothing else: its replay is the dry run of that scenario.
      if (opts.dryRun || outcome.status !== 'unbound') console.log(`    replay: ${replayOf(s, opts)}`);
    }
    // Skipped scenarios are counted by their reason, not listed one by one.
    const skips = new Map<string, number>();
    for (const s of plan.filter((p) => p.role === role)) {
      const outcome = outcomes.get(scenarioKey(s.role, s.uri, s.line));
      const why = outcome?.message ?? 'no reason given';
      if (outcome?.status === 'skipped') skips.set(why, (skips.get(why) ?? 0) + 1);
    }
    // A dry run skips every scenario by design: its own line says so.
    if (!opts.dryRun) for (const [why, n] of skips) console.log(`  skipped ${n}${roles.length > 1 ? ` [${role}]` : ''}: ${why}`);
    if (roles.length > 1) {
      const asExpected = plan.filter((s) => s.role === role && expected.has(scenarioKey(s.role, s.uri, s.line))).length;
      console.log(`conformance [${role}]: ${count(role, 'passed')} passed, ${count(role, ...bad)} failed, ${count(role, 'skipped')} skipped${asExpected ? `, ${asExpected} failed as expected` : ''}`);
    }
  }
  for (const message of strays) console.log(`  failed: outside any scenario: ${firstLines(message)}`);
  for (const message of harnessErrors) console.log(`  harness error: ${firstLines(message)}`);
  const broken = count(undefined, 'broken');
  const unbound = count(undefined, 'unbound');
  const failed = count(undefined, ...bad) + strays.length;
  if (broken || harnessErrors.length) console.log(`harness errors: ${broken} scenario(s) broken by the harness, not the app: the verdict is incomplete`);
  if (unbound) console.log(`not runnable: ${unbound} scenario(s) have a step that does not bind: fix the feature`);
  else if (opts.dryRun && !broken) console.log(`dry run: every step of the ${plan.length} scenario(s) binds to a sentence of the step catalog (nothing was run)`);
  // A dry run runs nothing the seed drives.
  if (!opts.dryRun) console.log(`seed ${opts.seed}: replay this run with SCT_SEED=${opts.seed}`);
  // The closing line, alone and in the plain "N passed, N failed" form CI reads.
  const passed = count(undefined, 'passed');
  const skipped = count(undefined, 'skipped');
  console.log(`conformance${opts.label ? ` [${opts.label}]` : ''}: ${passed} passed, ${failed} failed, ${skipped} skipped${expected.size ? `, ${expected.size} failed as expected` : ''}`);
  const code = broken || harnessErrors.length ? EXIT.HARNESS : unbound ? EXIT.USAGE : failed ? EXIT.FAILED : EXIT.PASSED;
  if (opts.report !== 'junit') markExpectedInAllure(
    `${opts.reports}/allure-results`,
    plan.flatMap((s) => {
      const reason = expected.get(scenarioKey(s.role, s.uri, s.line));
      return reason === undefined ? [] : [{ scenario: s, reason }];
    }),
  );
  const scenarios = plan.map((s) => {
    const key = scenarioKey(s.role, s.uri, s.line);
    const reason = expected.get(key);
    return { ...s, ...(outcomes.get(key) ?? { status: 'broken' as const, message: 'it never ran (the run stopped)' }), ...(reason !== undefined ? { expected: reason } : {}) };
  });
  // Every planned scenario run exactly once, lost ones included (src/run/junit.ts).
  writeJUnit(opts.reports, {
    root: ROOT,
    cases: scenarios.map(({ status, message, ms, expected: reason, ...scenario }) => ({
      scenario,
      status,
      ...(message !== undefined ? { message } : {}),
      ...(ms !== undefined ? { ms } : {}),
      ...(reason !== undefined ? { expected: reason } : {}),
      ...(status === 'failed' || status === 'broken' ? { replay: replayOf(scenario, opts) } : {}),
    })),
    strays,
    harnessErrors,
    ...(opts.label ? { label: opts.label } : opts.peer?.interop ? { label: `${opts.peer.interop.sender} -> ${opts.peer.interop.receiver}` } : {}),
  });
  return { code, passed, failed, skipped, expected: expected.size, scenarios: scenarios.map(({ ms: _junitOnly, ...s }) => s) };
}

function firstLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const shown = lines.slice(0, 4).join(' | ');
  return shown.length > 600 ? `${shown.slice(0, 600)}...` : shown;
}
