/**
 * The exploration benchmark (docs/exploration.md): the reference app and every conforming variant
 * must pass N explored plans for each seed; every committed faulty app must be found by
 * exploration alone within N plans. Prints one `name: value unit` line per app and seed, and
 * exits 1 if a conforming app fails or a faulty app is not found.
 *
 *   npx tsx bench/explore.ts                      # 1,000 plans, seeds 1 2 3
 *   npx tsx bench/explore.ts --runs 200 --seeds 7 # quicker
 *   npx tsx bench/explore.ts --only faulty        # or: conforming
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { REFERENCE_ADAPTER, loadAdapter } from '../src/adapter/load.ts';
import { describePlan, explore } from '../src/explore/index.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, seeds: { type: 'string', default: '1 2 3' }, only: { type: 'string' } },
});
const runs = Number(values.runs);
const seeds = values.seeds!.split(/[ ,]+/).filter(Boolean).map(Number);
const modules = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => `${dir}/${f}`);

const reference = await loadAdapter(REFERENCE_ADAPTER);
let bad = 0;

if (values.only !== 'faulty') {
  for (const spec of [REFERENCE_ADAPTER, ...modules('src/fakes/variants')]) {
    const underTest = spec === REFERENCE_ADAPTER ? reference : await loadAdapter(spec);
    const name = spec === REFERENCE_ADAPTER ? 'reference' : basename(spec, '.ts');
    for (const seed of seeds) {
      const started = performance.now();
      const result = await explore({ underTest, reference }, { runs, seed });
      const seconds = (performance.now() - started) / 1000;
      console.log(`explore ${name} seed ${seed}: ${result.counterexample ? 'FAILED after' : 'passed'} ${result.runs} plans`);
      console.log(`explore ${name} seed ${seed} time: ${seconds.toFixed(1)} s`);
      if (result.counterexample || result.harness.length) {
        bad++;
        const found = result.counterexample;
        if (found) console.log([...describePlan(found.plan), ...found.verdict.app].map((l) => `    ${l}`).join('\n'));
        for (const h of result.harness.slice(0, 2)) console.log([...describePlan(h.plan), ...h.problems].map((l) => `    harness: ${l}`).join('\n'));
      }
    }
  }
}

if (values.only !== 'conforming') {
  for (const spec of modules('src/fakes/faulty')) {
    const underTest = await loadAdapter(spec);
    const seed = seeds[0]!;
    const result = await explore({ underTest, reference }, { runs, seed });
    const name = basename(spec, '.ts');
    if (result.counterexample) console.log(`explore finds ${name} (seed ${seed}): ${result.runs} plans`);
    else {
      bad++;
      console.log(`explore finds ${name} (seed ${seed}): NOT FOUND in ${result.runs} plans`);
    }
  }
}

process.exit(bad ? 1 : 0);
