/**
 * Allure results for scenarios whose process died or was stopped (a crash, a hang): Cucumber's
 * Allure formatter never finished them, so the report would not show them at all. Written in
 * Allure's result format, failed, with the reason and the replay command.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFeature, requirementsByLine, type PlannedScenario } from './plan.ts';
import { placeLabels } from '../report/labels.ts';
import { requirementLink } from '../report/requirements.ts';

/** Where scenario uris are relative to (the runner's root, as in supervisor.ts). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The feature's name and the requirements the scenario checks, from the feature file; none if it no longer parses. */
function scenarioContext(scenario: PlannedScenario): { feature?: string; requirements: string[] } {
  try {
    return {
      feature: readFeature(resolve(ROOT, scenario.uri)).feature?.name,
      requirements: requirementsByLine(ROOT, [scenario.uri]).get(`${scenario.uri}:${scenario.line}`) ?? [],
    };
  } catch {
    return { requirements: [] };
  }
}

export function writeLostScenario(resultsDir: string, scenario: PlannedScenario, message: string, replay: string, startedAt: number): void {
  mkdirSync(resultsDir, { recursive: true });
  const uuid = randomUUID();
  const fullName = `${scenario.uri}#${scenario.name}`;
  // Where its passing runs sit in the report, with the same requirement links.
  const { feature, requirements } = scenarioContext(scenario);
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
    links: requirements.map(requirementLink),
  };
  writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
}
