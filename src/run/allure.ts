/**
 * Allure results for scenarios whose process died or was stopped (a crash, a hang): Cucumber's
 * Allure formatter never finished them, so the report would not show them at all. Written in
 * Allure's result format, failed, with the reason and the replay command.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFeature, type PlannedScenario } from './plan.ts';
import { placeLabels } from '../report/labels.ts';
import { requirementIds, requirementLink } from '../report/requirements.ts';

/** Where scenario uris are relative to (the runner's root, as in supervisor.ts). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The feature's name and the scenario's tags (its feature's, rule's and examples' too), from the feature file; none if it no longer parses. */
function scenarioContext(scenario: PlannedScenario): { feature?: string; tags: string[] } {
  let document;
  try {
    document = readFeature(resolve(ROOT, scenario.uri));
  } catch {
    return { tags: [] };
  }
  const feature = document.feature;
  const names = (tags: ReadonlyArray<{ name: string }>) => tags.map((t) => t.name);
  type Child = NonNullable<typeof feature>['children'][number];
  const find = (children: readonly Child[], inherited: string[]): string[] | undefined => {
    for (const child of children) {
      if (child.rule) {
        const found = find(child.rule.children as readonly Child[], [...inherited, ...names(child.rule.tags)]);
        if (found) return found;
      }
      const s = child.scenario;
      if (!s) continue;
      const own = [...inherited, ...names(s.tags)];
      if (s.location.line === scenario.line) return own;
      const examples = s.examples.find((e) => e.tableBody.some((row) => row.location.line === scenario.line));
      if (examples) return [...own, ...names(examples.tags)];
    }
    return undefined;
  };
  return { feature: feature?.name, tags: find(feature?.children ?? [], names(feature?.tags ?? [])) ?? [] };
}

export function writeLostScenario(resultsDir: string, scenario: PlannedScenario, message: string, replay: string, startedAt: number): void {
  mkdirSync(resultsDir, { recursive: true });
  const uuid = randomUUID();
  const fullName = `${scenario.uri}#${scenario.name}`;
  // Where its passing runs sit in the report, with the same requirement links.
  const { feature, tags } = scenarioContext(scenario);
  const result = {
    uuid,
    historyId: createHash('md5').update(`${fullName}:${scenario.role}`).digest('hex'),
    name: scenario.name,
    fullName,
    status: 'failed',
    statusDetails: { message: `${message}\n\nReplay this scenario: ${replay}` },
    stage: 'finished',
    start: startedAt,
    stop: Date.now(),
    steps: [],
    attachments: [],
    parameters: [{ name: 'app under test', value: scenario.role }],
    labels: [
      { name: 'feature', value: feature || scenario.uri },
      { name: 'framework', value: 'cucumberjs' },
      ...placeLabels(scenario.uri, feature || scenario.uri, scenario.name),
    ],
    links: requirementIds(tags).map(requirementLink),
  };
  writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
}
