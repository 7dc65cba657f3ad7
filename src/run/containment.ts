/**
 * Keeps a misbehaving in-process app from taking the run down with it, in the process that runs
 * the scenarios. App code that fails outside any call the harness made (a throw from one of its
 * own real timers, a promise nobody handled) fails the scenario it happened in, naming where in
 * the app's code it came from; an app that calls `process.exit()` fails its scenario instead of
 * ending the run. What cannot be caught in-process (a CPU loop, a hard crash) is the supervising
 * process's job (supervisor.ts).
 */
import { AppAssertionError, appFrame, describeError } from '../sim/failures.ts';

/** The scenario running now, as containment sees it. */
export interface ActiveScenario {
  key: string;
  /** Records a failure of the app in this scenario. */
  fail(message: string): void;
}

let active: ActiveScenario | undefined;
let lastKey: string | undefined;
let onStray: (message: string, after?: string) => void = () => {};

/** The World calls this when a scenario starts (with it) and ends (without). */
export function setActiveScenario(scenario: ActiveScenario | undefined): void {
  active = scenario;
  if (scenario) lastKey = scenario.key;
}

/** The process's real exit, kept from the app. */
export const realExit: (code?: number) => never = process.exit.bind(process);

/**
 * Installs the handlers. `stray` hears of app failures while no scenario runs (between scenarios,
 * after the last one), with the key of the scenario that ran last.
 */
export function installContainment(stray: (message: string, after?: string) => void): void {
  onStray = stray;
  process.setUncaughtExceptionCaptureCallback((error) => blame('an uncaught exception', error));
  process.on('unhandledRejection', (reason) => blame('an unhandled promise rejection', reason));
  process.exit = ((code?: number | string | null) => {
    const message = `the credential app called process.exit(${code ?? ''}): an app must never end the process it is tested in`;
    blameMessage(message);
    throw new AppAssertionError(message);
  }) as typeof process.exit;
}

function blame(what: string, error: unknown): void {
  const origin = appFrame(error);
  blameMessage(`${what} in app code${origin ? ` (at ${origin})` : ''}, outside any call the harness made (a real timer or a promise nobody awaited): ${describeError(error)}`);
}

function blameMessage(message: string): void {
  if (active) active.fail(message);
  else onStray(message, lastKey);
}

