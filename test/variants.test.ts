/**
 * The suite must not fail a conforming app for choosing differently from the reference app where
 * the protocol lets it (another retry budget, other waits, ids, report timing...). Each
 * conforming variant in src/fakes/variants/ runs the whole suite through the CLI, as an
 * implementer would, and must pass it: with seed 5 in both passes (app under test sending, then
 * receiving), and with another seed with the variant on every phone (so it also meets itself).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { batchedRuns, type AppResult } from './run-cli.ts';

// A test waits for its app's batch, which may queue behind others (two runs at a time): the
// whole file's runs, not one, bound its wait. Each run bounds its own hangs (--timeout).
vi.setConfig({ testTimeout: 900_000 });

const VARIANTS = readdirSync(new URL('../src/fakes/variants/', import.meta.url))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const variant = (name: string) => `src/fakes/variants/${name}.ts`;

/**
 * The variants also run against themselves on every phone (--role both): those whose choice shows
 * on both sides of a transfer at once (reports, ids, re-requests meeting retries). The others'
 * choices (a retry budget, a backoff) act on one side's sends, which the two passes already put
 * against the reference app both ways; leaving them out keeps npm test within its budget.
 */
/**
 * Variants whose choice is in the receiver's code only (when to ask again for a signature; the
 * order of the receiver's reports): as the sender they are the reference app, whose own sender
 * pass npm test runs already, so they run the receiver pass only (npm test's budget).
 */
const RECEIVER_CHOICES = ['early-key-request-resend', 'late-key-request-resend', 'provisioned-after-state'];

const EVERY_PHONE = ['deferred-reports', 'provisioned-after-state', 'skips-optional-states', 'uppercase-v7-ids', 'early-key-request-resend', 'slowest-retries-earliest-re-request'];
/** The closing line of one app's block in a run of several. */
const closing = (name: string, output: string) => new RegExp(`^conformance \\[${variant(name).replace(/\./g, '\\.')}\\]: (.*)$`, 'm').exec(output)?.[1];

// Several variants share one CLI run (one process start for all), two runs at a time (two cores);
// started when the first test asks, so a filtered run starts nothing it does not need.
let started: { passes: Map<string, Promise<AppResult>>; everyPhone: Map<string, Promise<AppResult>> } | undefined;
function results() {
  if (!started) {
    const run = batchedRuns(2);
    started = {
      passes: new Map([
        ...run(VARIANTS.filter((name) => !RECEIVER_CHOICES.includes(name)).map(variant), ['--report', 'junit', '--seed', '5'], 6),
        ...run(RECEIVER_CHOICES.map(variant), ['--report', 'junit', '--seed', '5', '--role', 'receiver'], 6),
      ]),
      everyPhone: run(EVERY_PHONE.map(variant), ['--report', 'junit', '--seed', '1234', '--role', 'both'], 6),
    };
  }
  return started;
}

describe.concurrent('conforming variants pass the whole suite', () => {
  it('include every kind of choice the protocol leaves open', () => {
    expect(VARIANTS).toEqual(
      expect.arrayContaining([
        'small-retry-budget',
        'large-retry-budget',
        'fractional-backoff',
        'early-key-request-resend',
        'late-key-request-resend',
        'uppercase-v7-ids',
        'deferred-reports',
        'provisioned-after-state',
        'skips-optional-states',
        'fastest-retries',
        'slowest-retries-earliest-re-request',
      ]),
    );
    expect(VARIANTS).toEqual(expect.arrayContaining([...EVERY_PHONE, ...RECEIVER_CHOICES]));
  });

  it.each(VARIANTS)('%s (seed 5, as sender and as receiver, or as receiver for a receiver-only choice)', async (name) => {
    const { code, output } = await results().passes.get(variant(name))!;
    expect(code, output).toBe(0);
    expect(closing(name, output), output).toMatch(/^[1-9]\d* passed, 0 failed, 0 skipped$/);
  });

  it.each(EVERY_PHONE)('%s (seed 1234, on every phone)', async (name) => {
    const { code, output } = await results().everyPhone.get(variant(name))!;
    expect(code, output).toBe(0);
    expect(closing(name, output), output).toMatch(/^[1-9]\d* passed, 0 failed, 0 skipped$/);
  });
});
