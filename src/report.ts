/**
 * `npm run report [-- --reports <dir>]`: turns <dir>/allure-results into the HTML report
 * <dir>/allure-report with allure-commandline (Java), keeping the history of earlier reports so
 * the trend charts work across runs (copy a CI artifact's allure-report/history back in place to
 * keep it there). The folder is the one `sct-conformance run --reports <dir>` wrote (default: reports).
 *
 * `--merge <dir>...`: the shards of one run (`run --shard i/n`, each with its own --reports folder)
 * become one report: their results are merged into <reports>/allure-results first (src/report/merge.ts).
 * `--history <dir>`: the previous report (or its history/ folder) to continue the trend from, when
 * it is not <reports>/allure-report (in CI: the published site, checked out).
 * `sct-conformance report ...` runs this script with the same options.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeResults } from './report/merge.ts';
import { REQUIREMENTS_PAGE, requirementsPage } from './report/requirements.ts';
import { UsageError } from './run/exit-codes.ts';
import { runCommand } from './run/where.ts';

const USAGE = `Usage: sct-conformance report [--reports <dir>] [--merge <dir>...] [--history <dir>]

Builds the Allure HTML report <reports>/allure-report from <reports>/allure-results, continuing the
trend of the report already there. Needs allure-commandline installed beside sct-conformance
(npm install --save-dev allure-commandline) and Java 8 or newer.

  --reports <dir>   the folder a run wrote (run --reports; default: reports)
  --merge <dir>...  merge these shards' folders (run --shard i/n --reports <dir>) into <reports> first
  --history <dir>   the previous report (or its history/ folder) to continue the trend from
  -h, --help        this text

Examples:
  npx sct-conformance report
  npx sct-conformance report --merge shard-1 shard-2 --history previous-site --reports merged`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { reports: { type: 'string', default: 'reports' }, merge: { type: 'boolean' }, history: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (error) {
  console.error(`report: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const reports = resolve(values.reports!);
const results = join(reports, 'allure-results');
const report = join(reports, 'allure-report');

if (positionals.length && !values.merge) {
  console.error(`report: unexpected argument ${positionals[0]}: to merge shards' reports, give --merge <dir>...`);
  process.exit(2);
}
if (values.merge) {
  try {
    const merged = mergeResults(positionals, results);
    console.log(`report: merged ${merged.results} scenario result(s) from ${merged.sources.map((s) => `${s.folder} (${s.results})`).join(', ')} into ${relative(process.cwd(), results)}`);
    for (const folder of merged.empty) console.log(`report: note: ${folder} holds no results (its run checked nothing: see its log), left out`);
    // Shards differ in their shard number; anything else differing (a seed) means they are not one run.
    for (const key of merged.differing.filter((k) => k !== 'shard')) console.log(`report: note: the folders differ in ${key}: not the shards of one run?`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`report: ${error.message}`);
    process.exit(2);
  }
}

if (!existsSync(results)) {
  console.error(`report: no ${results} yet; run \`${runCommand()} --reports ${values.reports}\` first`);
  process.exit(2);
}
// A previous report's trend: its history/ (given a report folder or the history folder itself).
const previous = values.history ? resolve(values.history) : report;
const history = existsSync(join(previous, 'history')) ? join(previous, 'history') : previous;
if (values.history && !existsSync(join(history, 'history-trend.json'))) console.log(`report: no history in ${values.history}: the trend starts with this report`);
if (existsSync(join(history, 'history-trend.json'))) cpSync(history, join(results, 'history'), { recursive: true });

// allure-commandline's own launcher (npm's `allure` v3 would take the same bin name). A project
// that installed sct-conformance installs it beside (a development dependency here, as it needs Java).
let allure: string;
try {
  allure = join(dirname(createRequire(import.meta.url).resolve('allure-commandline/package.json')), 'bin', 'allure');
} catch {
  console.error('report: allure-commandline is not installed; install it beside sct-conformance (npm install --save-dev allure-commandline; it needs Java 8 or newer)');
  process.exit(2);
}
execFileSync(process.execPath, [allure, 'generate', results, '--clean', '-o', report], { stdio: 'inherit' });
// The requirements' words beside the report, offline: the `@req=` links open this page (src/report/requirements.ts).
writeFileSync(join(report, REQUIREMENTS_PAGE), requirementsPage());
