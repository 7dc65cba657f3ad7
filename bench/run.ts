/**
 * `npm run bench`: every speed and scale figure in one run, one line each as `name: value unit`,
 * then the targets missed; exits 1 when one is (0 when all are met). Run it on an otherwise idle
 * machine: the figures are real time.
 *
 *   path figures (bench/path.ts): libsignal alone, the whole path over each transport, msw's floor,
 *     their ratios, ping-pong;
 *   scale figures (bench/scale.ts): one simulation of 1,000 and one of 10,000 phones with N/2
 *     shares, each in a process of its own.
 *
 *   npm run bench                 everything
 *   npm run bench -- path         only the path figures (or: scale)
 */
import { figureLine, meets, type Figure } from './figure.ts';
import { pathFigures } from './path.ts';
import { allScaleFigures } from './scale.ts';

const GROUPS: Record<string, () => Promise<Figure[]>> = { path: pathFigures, scale: allScaleFigures };

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in GROUPS));
if (unknown.length) {
  console.error(`bench: no group ${unknown.map((n) => `"${n}"`).join(', ')}: the groups are ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}

const missed: string[] = [];
for (const name of asked.length ? asked : Object.keys(GROUPS)) {
  for (const figure of await GROUPS[name]!()) {
    console.log(figureLine(figure));
    if (!meets(figure)) missed.push(`${figure.name} ${figure.value} ${figure.unit}, target ${figure.target!.op} ${figure.target!.value}`);
  }
}
if (missed.length) console.log(`targets missed: ${missed.length}\n${missed.map((m) => `  ${m}`).join('\n')}`);
process.exit(missed.length ? 1 : 0);
