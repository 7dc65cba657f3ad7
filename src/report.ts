/**
 * `npm run report [-- --reports <dir>]`: turns <dir>/allure-results into the HTML report
 * <dir>/allure-report with allure-commandline (Java), keeping the history of earlier reports so
 * the trend charts work across runs (copy a CI artifact's allure-report/history back in place to
 * keep it there). The folder is the one `sct-conformance run --reports <dir>` wrote (default: reports).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { reports: { type: 'string', default: 'reports' } } });
const reports = resolve(values.reports!);
const results = join(reports, 'allure-results');
const report = join(reports, 'allure-report');

if (!existsSync(results)) {
  console.error(`report: no ${results} yet; run \`npm run conformance -- --reports ${values.reports}\` first`);
  process.exit(2);
}
if (existsSync(join(report, 'history'))) cpSync(join(report, 'history'), join(results, 'history'), { recursive: true });

// allure-commandline's own launcher (npm's `allure` v3 would take the same bin name).
const allure = join(dirname(createRequire(import.meta.url).resolve('allure-commandline/package.json')), 'bin', 'allure');
execFileSync(process.execPath, [allure, 'generate', results, '--clean', '-o', report], { stdio: 'inherit' });
