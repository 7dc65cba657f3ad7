/**
 * `npm run requirements`: prints the requirement x scenario table; exits 1 when a MUST
 * requirement is checked by no scenario, a scenario has no @req tag, or a tag names an unknown
 * requirement. (`npm run docs` regenerates docs/requirements.md.)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coverage, readScenarios } from './coverage.ts';
import { REQUIREMENTS } from './requirements.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cov = coverage(readScenarios(resolve(ROOT, 'features'), ROOT));

const width = Math.max(...REQUIREMENTS.map((r) => r.id.length));
for (const r of REQUIREMENTS) {
  const scenarios = cov.byRequirement.get(r.id)!;
  console.log(`${r.id.padEnd(width)}  ${r.level.padEnd(6)}  ${scenarios.length ? `${scenarios.length} scenario(s)` : 'NOT CHECKED'}`);
  for (const name of scenarios) console.log(`${' '.repeat(width + 10)}- ${name}`);
}
console.log(`\n${REQUIREMENTS.length} requirements, ${cov.scenarios.length} scenarios`);

if (cov.problems.length) {
  console.error(`\n${cov.problems.length} problem(s):\n${cov.problems.map((p) => `- ${p}`).join('\n')}`);
  process.exitCode = 1;
}
