/**
 * Allure results for scenarios whose process died or was stopped (a crash, a hang): Cucumber's
 * Allure formatter never finished them, so the report would not show them at all. Written in
 * Allure's result format, failed, with the reason and the replay command.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannedScenario } from './plan.ts';

export function writeLostScenario(resultsDir: string, scenario: PlannedScenario, message: string, replay: string, startedAt: number): void {
  mkdirSync(resultsDir, { recursive: true });
  const uuid = randomUUID();
  const fullName = `${scenario.uri}#${scenario.name}`;
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
      { name: 'feature', value: scenario.uri },
      { name: 'framework', value: 'cucumberjs' },
    ],
    links: [],
  };
  writeFileSync(join(resultsDir, `${uuid}-result.json`), JSON.stringify(result));
}
