/**
 * Choices the protocol leaves to each credential app, and the reference app's picks. Unlike
 * `Flaws` (which break a rule, to prove the scenarios catch it), every value allowed here is
 * conforming: docs/protocol.md gives the bounds, and the conforming variants in
 * `src/fakes/variants/` make other choices than the reference and must pass the whole suite.
 */
import { randomUuid } from '../../protocol/messages.ts';

/** How a send that failed for a passing reason (5xx, connection error, 429) is tried again. */
export interface RetryChoices {
  /** Attempts in all, the first included, before the send is given up. Protocol: 3 to 20. */
  attempts: number;
  /** The wait before the second attempt, before jitter. */
  baseMs: number;
  /** Each further wait is the previous one times this (exponential backoff: SHOULD grow). */
  growth: number;
  /** No wait grows beyond this, before jitter. */
  capMs: number;
  /**
   * The wait actually taken for a backoff, drawing from the app's seeded random source. May be
   * fractional (the clock rounds up). Protocol: every wait 500 ms to 5 minutes; after a 429
   * the app waits at least the Retry-After, even beyond 5 minutes.
   */
  jitter: (backoffMs: number, random: () => number) => number;
}

/** When and which transfer reports the app makes (src/adapter/contract.ts says what is allowed). */
export interface ReportChoices {
  /** Reports through a 0 ms timer on the clock, after the effect, rather than at once. */
  deferred: boolean;
  /** Reports the `provisioned` state before the `provisioned` event, rather than after. */
  stateBeforeProvisioned: boolean;
  /** Leaves out the optional states `received` and `package-sent`. */
  skipsOptionalStates: boolean;
}

export interface Choices {
  retry: RetryChoices;
  /**
   * Receiver waiting for its final package: how long after its previous signing request it asks
   * again for the k-th time (k = 1: the first re-request). Protocol: the first 1 minute to
   * 2 hours after the first request, each later one at least 1 minute after the previous.
   */
  keyRequestResendMs: (k: number) => number;
  /** A new transfer or message id: any UUID, from the app's seeded random source (and the clock). */
  newId: (random: () => number, now: number) => string;
  reports: ReportChoices;
}

/** What a variant passes: any choice left out is the reference app's. */
export interface ChoiceOverrides extends Partial<Omit<Choices, 'retry' | 'reports'>> {
  retry?: Partial<RetryChoices>;
  reports?: Partial<ReportChoices>;
}

const HOUR = 3_600_000;

/** The reference app's choices. Changing one changes every reference trace. */
export const REFERENCE_CHOICES: Choices = {
  // 8 attempts, 1 s doubling to 60 s, each scaled by a factor in [0.5, 1): about 2 minutes in all.
  retry: {
    attempts: 8,
    baseMs: 1_000,
    growth: 2,
    capMs: 60_000,
    // Stryker disable next-line ArithmeticOperator: a conforming choice: a factor up to 2.5 keeps every wait within 500 ms to 5 min (a factor under 0.5 does not, and is killed; marked with the line)
    jitter: (backoff, random) => Math.round(backoff * (0.5 + random() / 2)),
  },
  // After 1 hour, then 2 h, 4 h...: the sender may have missed the first request.
  keyRequestResendMs: (k) => HOUR * 2 ** (k - 1),
  newId: (random) => randomUuid(random),
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: each report choice on is a conforming variant (test/variants.test.ts); left out, each is false
  reports: { deferred: false, stateBeforeProvisioned: false, skipsOptionalStates: false },
};

export function withReferenceDefaults(overrides: ChoiceOverrides = {}): Choices {
  return {
    ...REFERENCE_CHOICES,
    ...overrides,
    retry: { ...REFERENCE_CHOICES.retry, ...overrides.retry },
    // Stryker disable next-line ObjectLiteral: the reference app passes no overrides, and its report choices are all false, as left out
    reports: { ...REFERENCE_CHOICES.reports, ...overrides.reports },
  };
}
