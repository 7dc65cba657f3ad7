/**
 * What `sct-conformance run` exits with: the product's promise to CI. README.md ("Exit codes")
 * says the same in words for CI maintainers.
 */
export const EXIT = {
  /** Every selected scenario ran against the app and passed (scenarios needing a flow the app declares unsupported are skipped). */
  PASSED: 0,
  /** At least one scenario failed: the app broke a rule, or misbehaved (threw, hung, crashed, broke the adapter contract). */
  FAILED: 1,
  /** The run could not check anything as asked: a bad option, a missing path, a feature that does not parse or binds no step, nothing selected, an adapter that cannot be loaded, or another run using the same reports folder. */
  USAGE: 2,
  /** The harness itself went wrong in at least one scenario: the verdict is incomplete (report it to us). */
  HARNESS: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A problem that stops the run before any verdict: exits with {@link EXIT.USAGE} and this message. */
export class UsageError extends Error {
  override name = 'UsageError';
}
