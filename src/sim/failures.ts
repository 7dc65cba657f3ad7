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

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
