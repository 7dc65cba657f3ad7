/**
 * One Allure results folder from the results of several runs: the shards of one run
 * (`sct-conformance run --shard i/n`), each on its own CI machine, merged for one report.
 *
 * Allure names every result, container and attachment by a fresh uuid, so the shards' files are
 * copied side by side; a name found in two folders means the same results were given twice and is
 * refused, as is a scenario run found in two shards (the report would show one as a retry of the
 * other). Two files are not per result: `environment.properties` keeps each key once, with every
 * value the shards gave it (a seed or adapter that differs between shards shows as two values),
 * and `categories.json` keeps each category once. A shard's own `history/` is left out: the trend
 * continues from the previous report's (src/report.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnvInfo, stringifyEnvInfo } from 'allure-js-commons/sdk/reporter';
import { UsageError } from '../run/exit-codes.ts';

/** What a merge copied, for the command's output. */
export interface Merged {
  /** Each folder merged and the number of scenario results it held, in the order given. */
  sources: Array<{ folder: string; results: number }>;
  /** Folders given that hold no results (a shard whose run checked nothing: a usage error), left out. */
  empty: string[];
  /** Scenario results in the merged folder (the sum of the above). */
  results: number;
  /** Environment keys whose values differ between the folders (`seed`, say): worth a look. */
  differing: string[];
}

const ENVIRONMENT = 'environment.properties';
const CATEGORIES = 'categories.json';

/**
 * Copies the Allure results of every folder in `folders` (a run's --reports folder, or its
 * allure-results folder itself) into `into`, which is emptied first and may not be one of them.
 * A folder that exists but holds no results (its run stopped at a usage error) is left out, and
 * listed; throws a UsageError naming the folder when one does not exist, when none holds results,
 * or when two overlap.
 */
export function mergeResults(folders: string[], into: string): Merged {
  if (folders.length === 0) throw new UsageError('--merge needs the folders to merge: the --reports folder of each shard (or its allure-results folder)');
  const target = resolve(into);
  const found = folders.map((folder) => ({ given: folder, dir: resultsIn(folder) }));
  const empty = found.filter((s) => s.dir === undefined).map((s) => s.given);
  const sources = found.filter((s): s is { given: string; dir: string } => s.dir !== undefined);
  if (sources.length === 0) throw new UsageError(`none of ${folders.join(', ')} holds Allure results (each run's --reports folder has allure-results/ once it ran a scenario)`);
  for (const [i, s] of sources.entries()) {
    const twice = sources.findIndex((o) => o.dir === s.dir);
    if (twice !== i) throw new UsageError(`${sources[twice]!.given} and ${s.given} are the same results folder (${s.dir}): give each shard's folder once`);
    if (s.dir === target) throw new UsageError(`${s.given} is both merged and the merge's destination (${target}): give --reports another folder`);
  }
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });

  const from = new Map<string, string>(); // file name -> the folder it came from
  const runs = new Map<string, string>(); // a scenario run's Allure historyId -> its folder
  const environments: Array<Record<string, string | undefined>> = [];
  const categories: Array<{ name?: string }> = [];
  const counted: Merged['sources'] = [];
  for (const { given, dir } of sources) {
    let results = 0;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'history' || statSync(path).isDirectory()) continue;
      if (name === ENVIRONMENT) {
        environments.push(parseEnvInfo(readFileSync(path, 'utf8')));
        continue;
      }
      if (name === CATEGORIES) {
        categories.push(...(JSON.parse(readFileSync(path, 'utf8')) as Array<{ name?: string }>));
        continue;
      }
      const earlier = from.get(name);
      if (earlier) throw new UsageError(`${name} is in both ${earlier} and ${given}: the same results given twice?`);
      from.set(name, given);
      if (name.endsWith('-result.json')) {
        results++;
        const result = JSON.parse(readFileSync(path, 'utf8')) as { historyId?: string; name?: string; parameters?: Array<{ name: string; value: string }> };
        const other = result.historyId === undefined ? undefined : runs.get(result.historyId);
        if (other && other !== given) {
          const pass = result.parameters?.map((p) => p.value).join(', ');
          throw new UsageError(`"${result.name}"${pass ? ` (${pass})` : ''} ran in both ${other} and ${given}: shards of one run never overlap (same --shard twice, or shards of different plans?)`);
        }
        if (result.historyId !== undefined) runs.set(result.historyId, given);
      }
      copyFileSync(path, join(target, name));
    }
    counted.push({ folder: given, results });
  }

  const { merged: environment, differing } = mergeEnvironments(environments);
  if (Object.keys(environment).length) writeFileSync(join(target, ENVIRONMENT), stringifyEnvInfo(environment));
  const byName = new Map<string, object>();
  for (const category of categories) if (!byName.has(category.name ?? '')) byName.set(category.name ?? '', category);
  if (byName.size) writeFileSync(join(target, CATEGORIES), `${JSON.stringify([...byName.values()], null, 2)}\n`);
  return { sources: counted, empty, results: counted.reduce((n, s) => n + s.results, 0), differing };
}

/** Each key once, in the order first seen; values that differ are listed, each once, comma-separated. */
export function mergeEnvironments(environments: Array<Record<string, string | undefined>>): { merged: Record<string, string>; differing: string[] } {
  const values = new Map<string, string[]>();
  for (const environment of environments) {
    for (const [key, value] of Object.entries(environment)) {
      if (value === undefined) continue;
      const seen = values.get(key) ?? [];
      if (!seen.includes(value)) values.set(key, [...seen, value]);
    }
  }
  return {
    merged: Object.fromEntries([...values].map(([key, list]) => [key, list.join(', ')])),
    differing: [...values].filter(([, list]) => list.length > 1).map(([key]) => key),
  };
}

/** The allure-results folder of a reports folder, or the folder itself when it holds results; undefined when it holds none. */
function resultsIn(folder: string): string | undefined {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${folder} is not a folder (looked for ${dir}): give the --reports folder of each shard's run`);
  const nested = join(dir, 'allure-results');
  if (existsSync(nested) && statSync(nested).isDirectory()) return nested;
  return readdirSync(dir).some((f) => f.endsWith('-result.json')) ? dir : undefined;
}
