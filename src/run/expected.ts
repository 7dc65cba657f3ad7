/**
 * Expected failures: what an app is known to fail, each with a reason, so that its CI fails only on
 * a difference (web-platform-tests' expectation files, the OpenID suite's known failures). A
 * failure on the list is counted apart; a listed scenario that now passes is itself a failure ("remove
 * it from the list"), and so is any failure not on the list.
 *
 * The list is a JSON file: `sct-conformance run --expected-failures <file>`, or found beside the
 * adapter as `<adapter name>.expected-failures.json` (e.g. `sct-adapter.expected-failures.json`,
 * `my-app.expected-failures.json` for `my-app.ts`).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from './exit-codes.ts';
import { requirementsByLine, type PlannedScenario } from './plan.ts';

const entry = z
  .object({
    /** A scenario's name, as the summary prints it; `[sender] ` or `[receiver] ` limits it to one pass. */
    scenario: z.string().min(1).optional(),
    /** Or a requirement: every scenario tagged with it (`@req=R-ONCE-1`). */
    requirement: z.string().regex(/^R-[A-Z]+-\d+$/, 'a requirement id such as R-ONCE-1').optional(),
    /** Why it fails: shown beside it in the summary. */
    reason: z.string().min(1),
  })
  .strict()
  .refine((e) => (e.scenario === undefined) !== (e.requirement === undefined), 'give either "scenario" or "requirement"');

export const expectedFailuresSchema = z.object({ $schema: z.string().optional(), expectedFailures: z.array(entry) }).strict();

export type ExpectedEntry = z.infer<typeof entry>;

export interface ExpectedFailures {
  /** The file, for messages. */
  file: string;
  entries: ExpectedEntry[];
}

/** Reads a list, naming every problem. */
export function readExpectedFailures(file: string): ExpectedFailures {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`Expected failures "${file}" are not readable JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = expectedFailuresSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UsageError(`Expected failures "${file}" do not fit the format ({ "expectedFailures": [{ "scenario" or "requirement", "reason" }] }):\n- ${problems.join('\n- ')}`);
  }
  return { file, entries: parsed.data.expectedFailures };
}

/** The list beside an adapter (`<name>.expected-failures.json`), if there is one. */
export function expectedFailuresBeside(adapter: string): string | undefined {
  if (adapter.startsWith('cmd:')) return undefined;
  const path = resolve(adapter);
  const file = join(dirname(path), `${basename(path).replace(/\.(?:[cm]?[jt]s|json)$/, '')}.expected-failures.json`);
  return existsSync(file) ? file : undefined;
}

/** Matches scenarios of a plan against a list. */
export class ExpectedMatcher {
  private readonly tags: Map<string, string[]>;

  constructor(
    readonly list: ExpectedFailures,
    root: string,
    plan: PlannedScenario[],
  ) {
    this.tags = requirementsByLine(root, plan.map((s) => s.uri));
  }

  /** The entry a scenario of the plan is expected to fail by, if any. */
  entryFor(s: PlannedScenario): ExpectedEntry | undefined {
    const requirements = this.tags.get(`${s.uri}:${s.line}`) ?? [];
    return this.list.entries.find((e) => (e.scenario !== undefined ? e.scenario === s.name || e.scenario === `[${s.role}] ${s.name}` : requirements.includes(e.requirement!)));
  }
}

/**
 * Marks the expected failures among a run's Allure results, so the report shows them apart: each
 * gets an `expected-failure` tag and its message starts with "Expected failure (<reason>)", which
 * the category written beside the results ("Expected failures", categories.json) collects.
 */
export function markExpectedInAllure(resultsDir: string, expected: Array<{ scenario: PlannedScenario; reason: string }>): void {
  if (!expected.length || !existsSync(resultsDir)) return;
  const wanted = new Map(expected.map(({ scenario: s, reason }) => [`${s.role}\n${s.uri.replace(/\//g, '.')}\n${s.name}`, reason]));
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('-result.json'))) {
    const path = join(resultsDir, file);
    const result = JSON.parse(readFileSync(path, 'utf8')) as AllureResult;
    const role = result.parameters?.find((p) => p.name === 'app under test')?.value;
    const pkg = result.labels?.find((l) => l.name === 'package')?.value?.replace(/^sct-conformance\./, '');
    const reason = wanted.get(`${role}\n${pkg}\n${result.name}`);
    if (reason === undefined || result.status !== 'failed') continue;
    result.statusDetails = { ...result.statusDetails, message: `Expected failure (${reason}): ${result.statusDetails?.message ?? ''}` };
    result.labels = [...(result.labels ?? []), { name: 'tag', value: 'expected-failure' }];
    writeFileSync(path, JSON.stringify(result));
  }
  const categories = [
    { name: 'Expected failures', matchedStatuses: ['failed'], messageRegex: '^Expected failure[\\s\\S]*' },
    { name: 'Product defects', matchedStatuses: ['failed'] },
    { name: 'Test defects', matchedStatuses: ['broken'] },
  ];
  writeFileSync(join(resultsDir, 'categories.json'), `${JSON.stringify(categories, null, 2)}\n`);
}

interface AllureResult {
  name: string;
  status: string;
  statusDetails?: { message?: string; trace?: string };
  parameters?: Array<{ name: string; value: string }>;
  labels?: Array<{ name: string; value: string }>;
}
