/**
 * The process that runs the scenarios (started by supervisor.ts, never by hand). It loads the
 * adapter module (bounded in time), runs each pass's scenarios with Cucumber, and tells the
 * parent when each scenario starts and how it ended. The app under test lives here, so this
 * process may die or hang with it; the parent then knows which scenario it was in.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfiguration, loadSupport, runCucumber, type ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { Envelope, FeatureChild, RuleChild, TestStepResult } from '@cucumber/messages';
import { loadAdapter } from '../adapter/load.ts';
import { COMPILED, compiledModule } from '../compiled/typescript.ts';
import { installContainment, realExit } from './containment.ts';
import { ROLE_TITLES } from '../roles.ts';
import { PlainFileWriter } from './allure-writer.ts';
import { footprint, leftovers, trackTimers, type Footprint } from './leftovers.ts';
import { ensureInterceptor, runTransport } from '../sim/transport/index.ts';
import { scenarioKey, type ChildJob, type ChildMessage, type ParentMessage, type ScenarioStatus } from './messages.ts';
import { catalogOf, undefinedStepMessage, type StepCatalog, type Suggester, type UndefinedStep } from '../authoring/suggest.ts';
import { NO_SNIPPETS, withoutSnippetHeader } from '../authoring/no-snippets.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function tell(message: ChildMessage): Promise<void> {
  return new Promise((done) => (process.send ? process.send(message, () => done()) : done()));
}

/** Loads the adapter module, giving up after `ms` of real time (a top-level await that never settles). */
async function loadBounded(spec: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the adapter module "${spec}" did not finish loading within ${ms / 1000} s (a top-level await that never settles?)`)), ms);
  });
  try {
    await Promise.race([loadAdapter(spec), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A scenario's status from its steps: the worst step decides; a failed step's error type tells failed from broken. */
class ScenarioResults {
  private pickles = new Map<string, { uri: string; line: number }>();
  private testCases = new Map<string, string>();
  /** Each Gherkin step's keyword and line, by its id in the feature's syntax tree. */
  private astSteps = new Map<string, { keyword: string; line: number }>();
  /** Each test step's step as written, to name a step that does not bind and say where it is. */
  private stepTexts = new Map<string, WrittenStep>();
  /** Each scenario's worst step so far, and every step of it that binds to nothing (all get suggestions). */
  private started = new Map<string, { key: string; worst: TestStepResult | undefined; worstStep?: WrittenStep; undefinedSteps: WrittenStep[]; skipReason?: string }>();
  private static readonly ORDER = ['PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];
  /** Some scenario of this pass did not pass (nor was skipped). */
  anyBad = false;

  constructor(
    private readonly role: ChildJob['passes'][number]['role'],
    private readonly catalog: Suggester,
  ) {}

  async add(message: Envelope): Promise<void> {
    if (message.gherkinDocument) {
      const visit = (children: ReadonlyArray<FeatureChild | RuleChild>) => {
        for (const child of children) {
          for (const step of [...(child.background?.steps ?? []), ...(child.scenario?.steps ?? [])]) this.astSteps.set(step.id, { keyword: step.keyword, line: step.location.line });
          if ('rule' in child && child.rule) visit(child.rule.children);
        }
      };
      visit(message.gherkinDocument.feature?.children ?? []);
    }
    if (message.pickle) {
      const { uri } = message.pickle;
      this.pickles.set(message.pickle.id, { uri, line: message.pickle.location?.line ?? 0 });
      for (const step of message.pickle.steps) {
        const ast = this.astSteps.get(step.astNodeIds[0] ?? '');
        this.stepTexts.set(step.id, { text: step.text, keyword: ast?.keyword ?? '', uri, line: ast?.line ?? 0 });
      }
    }
    if (message.testCase) {
      this.testCases.set(message.testCase.id, message.testCase.pickleId);
      for (const step of message.testCase.testSteps) if (step.pickleStepId) this.stepTexts.set(step.id, this.stepTexts.get(step.pickleStepId) ?? { text: '', keyword: '', uri: '', line: 0 });
    }
    if (message.testCaseStarted) {
      const pickle = this.pickles.get(this.testCases.get(message.testCaseStarted.testCaseId) ?? '');
      const key = pickle ? scenarioKey(this.role, pickle.uri, pickle.line) : '?';
      this.started.set(message.testCaseStarted.id, { key, worst: undefined, undefinedSteps: [] });
      await tell({ type: 'started', key });
    }
    // A step that skips its scenario says why in a log line `skipped: <reason>` (steps/phones.steps.ts).
    if (message.attachment?.testCaseStartedId && message.attachment.mediaType === 'text/x.cucumber.log+plain' && message.attachment.body.startsWith('skipped: ')) {
      const entry = this.started.get(message.attachment.testCaseStartedId);
      if (entry) entry.skipReason = message.attachment.body.slice('skipped: '.length);
    }
    if (message.testStepFinished) {
      const entry = this.started.get(message.testStepFinished.testCaseStartedId);
      const result = message.testStepFinished.testStepResult;
      const rank = (r?: TestStepResult) => (r ? ScenarioResults.ORDER.indexOf(r.status) : -1);
      const written = this.stepTexts.get(message.testStepFinished.testStepId);
      if (entry && written && result.status === 'UNDEFINED') entry.undefinedSteps.push(written);
      if (entry && rank(result) > rank(entry.worst)) {
        entry.worst = result;
        entry.worstStep = written;
      }
    }
    if (message.testCaseFinished && !message.testCaseFinished.willBeRetried) {
      const entry = this.started.get(message.testCaseFinished.testCaseStartedId);
      if (entry) {
        const classified = classify(entry.worst, entry.worstStep, this.catalog, entry.undefinedSteps);
        const outcome = classified.status === 'skipped' && entry.skipReason ? { ...classified, message: entry.skipReason } : classified;
        if (outcome.status !== 'passed' && outcome.status !== 'skipped') this.anyBad = true;
        await tell({ type: 'finished', key: entry.key, ...outcome });
      }
    }
  }
}

/** A step as written in its feature: its text (an outline's row substituted), keyword, file and line. */
type WrittenStep = UndefinedStep;

/**
 * Assertion-type errors (node:assert's, the harness's AppAssertionError...) are the app's; anything
 * else broke the harness. Each step that binds to nothing (`undefinedSteps`, `written` alone by
 * default) gets the closest sentences of `catalog`: a draft's typos are all named in one run.
 */
export function classify(result: TestStepResult | undefined, written: WrittenStep | undefined, catalog: Suggester, undefinedSteps: WrittenStep[] = written ? [written] : []): { status: ScenarioStatus; message?: string } {
  const step = written?.text;
  switch (result?.status) {
    case undefined:
    case 'PASSED':
      return { status: 'passed' };
    case 'SKIPPED':
      return { status: 'skipped' };
    case 'FAILED': {
      const type = result.exception?.type ?? '';
      const message = result.exception?.message ?? result.message ?? 'failed';
      return /assert/i.test(type) ? { status: 'failed', message } : { status: 'broken', message: `${type || 'Error'}: ${message}` };
    }
    default:
      return {
        status: 'unbound',
        message:
          result!.status === 'AMBIGUOUS'
            ? `the step "${step}" matches more than one step definition`
            : result!.status === 'UNDEFINED' && undefinedSteps.length
              ? undefinedSteps.map((s) => undefinedStepMessage(s, catalog)).join('\n')
              : `the step "${step}" is ${result!.status.toLowerCase()}`,
      };
  }
}

/** SCT_PEER_ADAPTER as the run was started with (the mutation run's pristine peer). */
const INHERITED_PEER = process.env.SCT_PEER_ADAPTER ?? '';
/** An interop pair's names as a replay line sets them (SCT_INTEROP_SENDER, SCT_INTEROP_RECEIVER). */
/** SCT_TRANSPORT as the run was started with: a job that names no transport keeps it. */
const INHERITED_TRANSPORT = process.env.SCT_TRANSPORT ?? '';
const INHERITED_PAIR = { sender: process.env.SCT_INTEROP_SENDER ?? '', receiver: process.env.SCT_INTEROP_RECEIVER ?? '' };

let support: ISupportCodeLibrary | undefined;
/** The step definitions as sentences, for the suggestions an undefined step gets (built on the first one: most runs have none). */
let catalog: StepCatalog | undefined;
/** The process as it was before the first app loaded: what a reusable child returns to. */
let clean: Footprint | undefined;

/** Runs one job (one app, its passes); returns whether the app left the process as it found it. */
async function runJob(job: ChildJob): Promise<boolean> {
  // What the World reads (steps/support/world.ts).
  Object.assign(process.env, {
    SCT_SEED: String(job.seed),
    SCT_ADAPTER: job.adapter,
    SCT_ADAPTER_ARG: job.adapterArg ?? '',
    SCT_REPORTS: job.reports,
    SCT_REPORT: job.report ?? 'all',
  });
  // A reused child runs jobs with and without a peer of their own: each job sets it afresh.
  Object.assign(process.env, {
    SCT_PEER_ADAPTER: job.peer?.spec ?? INHERITED_PEER,
    SCT_INTEROP_SENDER: job.peer?.interop?.sender ?? INHERITED_PAIR.sender,
    SCT_INTEROP_RECEIVER: job.peer?.interop?.receiver ?? INHERITED_PAIR.receiver,
    SCT_EXPECTED_LIST: job.expectedList ? '1' : '',
    SCT_TRANSPORT: job.transport ?? INHERITED_TRANSPORT,
  });
  // Support code is imported once per process (ESM): load it once (after the environment the
  // World reads at load), reuse it in every pass and job; the harness's, before the clean
  // footprint. (Compiled, tsx is registered only if an adapter is TypeScript: it leaves no footprint.)
  support ??= await loadSupport(await configuration(job, job.passes[0]!.role, job.passes[0]!.locations), { cwd: ROOT });
  if (!support) throw new Error('no support code');
  // With the msw transport, its interceptor (the harness's own patch of fetch and node:http) is
  // part of a clean process: installed before the footprint is taken. The direct transport
  // patches nothing, so without it an app's own patch of fetch stands out as well.
  const installed = runTransport() === 'msw' && ensureInterceptor();
  if (!clean || installed) clean = footprint();
  if (!job.dryRun) {
    try {
      await loadBounded(job.adapter, job.loadTimeoutMs);
    } catch (error) {
      await tell({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
      realExit(0);
    }
  }
  for (const { role, locations } of job.passes) {
    process.env.SCT_ROLE = role;
    if (job.headers) console.log(`\n== pass: ${ROLE_TITLES[role]}${job.segment > 0 ? ' (continued in a new process)' : ''}`);
    const runConfiguration = await configuration(job, role, locations);
    await tell({ type: 'ready' });
    const loaded = support;
    const results = new ScenarioResults(role, { closest: (typed) => (catalog ??= catalogOf(loaded)).closest(typed) });
    let queue = Promise.resolve();
    await runCucumber({ ...runConfiguration, support }, { cwd: ROOT, stdout: withoutSnippetHeader(process.stdout) }, (m) => {
      queue = queue.then(() => results.add(m));
    });
    await queue;
    if (job.failFast && results.anyBad) break; // the passes left are not run: the supervisor skips them
  }
  // A promise the app left settling now does so before the process is judged.
  await new Promise((resolve) => setImmediate(resolve));
  return leftovers(clean, footprint()).length === 0;
}

/** Cucumber's configuration for one pass of a job. */
async function configuration(job: ChildJob, role: ChildJob['passes'][number]['role'], locations: string[]) {
  const suffix = job.segment > 0 ? `-${job.segment + 1}` : '';
  const { runConfiguration } = await loadConfiguration(
    {
      file: 'cucumber.mjs',
      provided: {
        paths: locations,
        ...(job.dryRun ? { dryRun: true } : {}),
        ...(job.failFast ? { failFast: true } : {}),
        // No junit formatter: the supervisor writes JUnit, lost scenarios included (junit.ts).
        format: [
          job.quiet ? (compiledModule(join(ROOT, 'src/run/silent-formatter.ts')) ?? './src/run/silent-formatter.ts') : 'pretty',
          ...(job.report === 'junit' ? [] : [`allure-cucumberjs/reporter:${job.reports}/allure-formatter.out`, `message:${job.reports}/cucumber-messages-${role}${suffix}.ndjson`]),
        ],
        // snippetSyntax: an undefined step gets a pointer to the catalog, never code (src/authoring/no-snippets.ts).
        formatOptions: { resultsDir: `${job.reports}/allure-results`, environmentInfo: job.environment, snippetSyntax: NO_SNIPPETS },
      },
    },
    { cwd: ROOT },
  );
  // Not JSON, so not a configuration value: handed to allure-cucumberjs (its `writer` option) here.
  Object.assign(runConfiguration.formats.options, { writer: new PlainFileWriter(`${job.reports}/allure-results`) });
  // Compiled (src/compiled/), the step definitions are one module of the build: Cucumber imports it instead of steps/**/*.ts.
  if (COMPILED && process.env.SCT_COMPILED) runConfiguration.support.importPaths = [join(process.env.SCT_COMPILED, 'steps.mjs')];
  return runConfiguration;
}

async function main(): Promise<void> {
  // The supervisor is gone (killed by CI, say): nobody is left to give a verdict to.
  process.on('disconnect', () => realExit(3));
  installContainment((message, after) => void tell({ type: 'stray-error', after, message }));
  trackTimers();
  // Jobs come one at a time; the parent sends the next only after this one's `done`.
  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    if (message.type === 'exit') realExit(0);
    if (message.type !== 'job') return;
    runJob(message.job).then(
      async (reusable) => {
        await tell({ type: 'done', reusable });
        if (!reusable) realExit(0); // whatever timers or handles the app left behind
      },
      async (error: unknown) => {
        await tell({ type: 'harness-error', message: `the harness failed: ${error instanceof Error ? error.stack : String(error)}` });
        realExit(3);
      },
    );
  });
}

main().catch(async (error: unknown) => {
  await tell({ type: 'harness-error', message: `the harness failed: ${error instanceof Error ? error.stack : String(error)}` });
  realExit(3);
});
