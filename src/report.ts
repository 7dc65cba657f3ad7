/**
 * `npm run report`: turns reports/allure-results into the HTML report reports/allure-report with
 * allure-commandline (Java), keeping the history of earlier reports so the trend charts work
 * across runs (copy a CI artifact's reports/allure-report/history back in place to keep it there).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const results = resolve(ROOT, 'reports/allure-results');
const report = resolve(ROOT, 'reports/allure-report');

if (!existsSync(results)) {
  console.error('report: no reports/allure-results yet; run `npm run conformance` first');
  process.exit(2);
}
if (existsSync(join(report, 'history'))) cpSync(join(report, 'history'), join(results, 'history'), { recursive: true });

// allure-commandline's own launcher (npm's `allure` v3 would take the same bin name).
const allure = join(dirname(createRequire(import.meta.url).resolve('allure-commandline/package.json')), 'bin', 'allure');
execFileSync(process.execPath, [allure, 'generate', results, '--clean', '-o', report], { stdio: 'inherit' });
