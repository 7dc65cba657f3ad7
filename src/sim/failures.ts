import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The two ways a scenario can go wrong, kept apart because they mean opposite things to the
 * implementer reading the verdict:
 *
 * - {@link AppAssertionError}: the app under test broke a rule the documents state, misbehaved
 *   (threw, hung, crashed, called the contract wrongly) or a check about what it did failed. The
 *   scenario *failed*, and it is the app's to fix.
 * - {@link HarnessError}: the harness itself went wrong (a request it built was refused, a step
 *   met something it cannot handle). The scenario is *broken*: nothing was learnt about the app.
 *
 * The class names matter: reporters tell a failed check from a broken test by the error's type
 * (Allure counts a type containing "Assertion" as failed, anything else as broken), and the
 * runner classifies scenario results the same way (src/run/results.ts).
 */

/** The app under test broke a rule or misbehaved: the scenario failed. */
export class AppAssertionError extends Error {
  override name = 'AppAssertionError';
}

/** The harness went wrong, not the app: the scenario is broken. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

/** An app handed the harness a value the adapter contract does not allow. */
export class ContractAssertionError extends AppAssertionError {
  override name = 'ContractAssertionError';
}

/** Harness code: a frame here is not where an app went wrong (the fakes and examples are apps). */
const HARNESS = ['src/sim/', 'src/run/', 'src/adapter/', 'src/monitor/', 'src/evidence/', 'steps/'].map((folder) => fileURLToPath(new URL(`../../${folder}`, import.meta.url)));

/**
 * The first stack frame in the app's own code (not Node's, a dependency's or the harness's), as
 * `file:line` relative to the current folder: where an app's error came from.
 */
export function appFrame(error: unknown): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.replace(/^file:\/\//, '');
    if (file.includes('/node_modules/') || HARNESS.some((folder) => file.startsWith(folder))) continue;
    return `${relative(process.cwd(), file)}:${match[2]}`;
  }
  return undefined;
}

/** "<what> threw (at my-adapter.ts:12): Error: ...": the app's call or handler, where in its code, and the error. */
export function threw(what: string, error: unknown): string {
  const at = appFrame(error);
  return `${what} threw${at ? ` (at ${at})` : ''}: ${describeError(error)}`;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
