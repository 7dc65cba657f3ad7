/**
 * What the supervising process (supervisor.ts) and the process that runs the scenarios
 * (child.ts) say to each other over Node's IPC channel. The app under test runs in the child, so
 * whatever it does (exit, hang, loop on the CPU, leak timers) the parent stays in charge of the
 * verdict and the exit code.
 */
import type { Role } from '../roles.ts';
import type { TransportName } from '../sim/transport/index.ts';

/** How one scenario ended. */
export type ScenarioStatus =
  /** Ran and passed. */
  | 'passed'
  /** The app broke a rule or misbehaved (an assertion about the app failed). */
  | 'failed'
  /** The harness went wrong: nothing was learnt about the app. */
  | 'broken'
  /** A step does not bind (undefined or ambiguous): the feature is wrong, not the app. */
  | 'unbound'
  /** Skipped: a dry run, or a flow the app declares unsupported. */
  | 'skipped';

/** `<role> <uri>:<line>`: one scenario of one pass. */
export type ScenarioKey = string;

export const scenarioKey = (role: Role, uri: string, line: number): ScenarioKey => `${role} ${uri}:${line}`;

/** `--report`: what a run writes to its reports folder. */
export const REPORT_SETS = ['all', 'junit'] as const;
export type ReportSet = (typeof REPORT_SETS)[number];

/** What every process of a run is told: the run's settings. */
export interface RunSettings {
  seed: number;
  /** How the devices reach the simulated server (`--transport`); unset: SCT_TRANSPORT as the child inherited it, else the default. */
  transport?: TransportName;
  /** Absolute path of the adapter module. */
  adapter: string;
  /** The adapter as the user named it, for replay commands; undefined for the reference app. */
  adapterArg?: string;
  /** Where Allure results, JUnit XML, Cucumber messages and traces go. */
  reports: string;
  /** What goes there (`--report`): everything (unset), or only JUnit, which the supervisor writes (no Allure results, Cucumber messages, attachments or traces: a quicker run). */
  report?: ReportSet;
  quiet: boolean;
  dryRun: boolean;
  /** Stop at the first scenario that does not pass (`--fail-fast`): the rest are skipped. */
  failFast?: boolean;
  /** Real milliseconds the adapter module may take to load. */
  loadTimeoutMs: number;
  /** Shown on the Allure report's overview. */
  environment: Record<string, string>;
  /** The run uses an expected-failures list (the parent applies it; replay lines ignore it). */
  expectedList?: boolean;
  /** The app on the other phones instead of the reference app (SCT_PEER_ADAPTER), and in an interop run the two apps' names. */
  peer?: { spec: string; interop?: { sender: string; receiver: string } };
}

/** What the parent asks a child to run (a `job` message; a child may run several, one after another). */
export interface ChildJob extends RunSettings {
  /** Numbers this child's output files apart from earlier children of the same run. */
  segment: number;
  /** Print a header before each pass (a run of more than one pass). */
  headers: boolean;
  /** Passes in order, each with the exact scenarios to run. */
  passes: Array<{ role: Role; locations: string[] }>;
}

export type ChildMessage =
  /** The adapter module and the step definitions are loaded: scenarios start now. */
  | { type: 'ready' }
  /** The adapter module failed to load (or never finished): the run cannot start. */
  | { type: 'load-failed'; message: string }
  | { type: 'started'; key: ScenarioKey }
  | { type: 'finished'; key: ScenarioKey; status: ScenarioStatus; message?: string }
  /** App code failed while no scenario was running: charged to the scenario that ran last. */
  | { type: 'stray-error'; after?: ScenarioKey; message: string }
  /** The harness itself failed outside any scenario: the run's verdict is incomplete. */
  | { type: 'harness-error'; message: string }
  /**
   * Every pass ran. `reusable`: the app left nothing behind (no timer, handle or request still
   * active, no global replaced), so the child can run the next app's job; otherwise it exits now,
   * whatever the app left running.
   */
  | { type: 'done'; reusable: boolean };

/** What the parent tells a child: run a job, or end (an idle child kept for a next job that never came). */
export type ParentMessage = { type: 'job'; job: ChildJob } | { type: 'exit' };
