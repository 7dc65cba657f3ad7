/**
 * Summarises a mutation run (`npm run mutation`) from Stryker's JSON report: per file, the mutants
 * killed, timed out, survived, without coverage and ignored (marked equivalent in the source),
 * then every surviving mutant as `file:line`, the mutator and the replacement, the lines
 * docs/mutation.md classifies.
 *
 *   npx tsx bench/mutation-summary.ts [reports/mutation/mutation.json]
 */
import { readFileSync } from 'node:fs';

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

const path = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(path, 'utf8')) as { files: Record<string, { source: string; mutants: Mutant[] }> };
const STATUSES = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'RuntimeError', 'CompileError'];

const rows: string[][] = [];
const total = new Map<string, number>();
for (const [file, { mutants }] of Object.entries(report.files)) {
  const counts = STATUSES.map((s) => mutants.filter((m) => m.status === s).length);
  STATUSES.forEach((s, i) => total.set(s, (total.get(s) ?? 0) + counts[i]!));
  rows.push([file, ...counts.map(String), score(counts)]);
}
const totals = STATUSES.map((s) => total.get(s) ?? 0);
rows.push(['all', ...totals.map(String), score(totals)]);
console.log(`| file | ${STATUSES.join(' | ')} | score |`);
console.log(`|${'---|'.repeat(STATUSES.length + 2)}`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

console.log('\nSurvivors:');
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const m of mutants.filter((m) => m.status === 'Survived').sort((a, b) => a.location.start.line - b.location.start.line)) {
    const { line } = m.location.start;
    console.log(`- ${file}:${line} ${m.mutatorName}: \`${oneLine(m.replacement ?? '')}\`  (was: \`${oneLine(lines[line - 1]!.trim())}\`)`);
  }
}

/** Stryker's score: detected (killed + timed out) over valid mutants (ignored ones left out). */
function score(counts: number[]): string {
  const [killed, timeout, survived, noCoverage] = counts as [number, number, number, number];
  const valid = killed + timeout + survived + noCoverage;
  return valid ? `${((100 * (killed + timeout)) / valid).toFixed(1)} %` : '-';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
