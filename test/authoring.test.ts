/**
 * Help for whoever writes features: a step that binds to nothing gets the closest sentences of the
 * step catalog (never code), a dry run's replay line is the dry run, and gherkin-lint with the
 * committed configuration catches a badly written feature.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StepCatalog } from '../src/authoring/suggest.ts';
import { NOT_A_SNIPPET } from '../src/authoring/no-snippets.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SNIPPET = /snippet|pending|Implement with|function \(/i;

function draft(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sct-authoring-')), 'draft.feature');
  writeFileSync(path, text);
  return path;
}

/** A product person's draft: line 4 has "her" where the catalog says "a"; line 5 misspells "provisions". */
const TYPO = `Feature: draft
  Scenario: sharing, typed from memory
    Given Alice and Bob have phones with the credential app, on Signal
    When Alice shares her car key with Bob
    Then Bob's phone provison the car key exactly once
`;

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, SCT_SEED: '', SCT_ADAPTER: '', SCT_PEER_ADAPTER: '', NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** The CLI as a user runs it (not --quiet: Cucumber's own output is checked too), and everything it wrote under its reports folder. */
async function conformance(args: string[]): Promise<{ code: number; output: string; reports: string }> {
  const folder = mkdtempSync(join(tmpdir(), 'sct-authoring-reports-'));
  const { code, output } = await run(process.execPath, ['bin/sct-conformance.js', 'run', '--reports', folder, ...args]);
  const reports = readdirSync(folder, { recursive: true, encoding: 'utf8', withFileTypes: false })
    .filter((f) => /\.(ndjson|xml|json|out)$/.test(f))
    .map((f) => readFileSync(join(folder, f), 'utf8'))
    .join('\n');
  rmSync(folder, { recursive: true, force: true });
  return { code, output, reports };
}

/** The sentences the summary suggests for the step at `where`, in order. */
function suggested(output: string, where: string): string[] {
  const block = output.split(`at ${where}\n`)[1]?.split('every sentence you can use')[0] ?? '';
  return block.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
}

describe('a step that binds to nothing', () => {
  // One CLI run, a dry run (the cheaper; a real run reaches the same code, src/run/child.ts), not
  // --quiet: Cucumber's own output is checked too.
  it('names where it is, the closest sentences of the catalog (the intended one first) and the catalog; no code anywhere; the replay line is the dry run', async () => {
    const file = draft(TYPO);
    const { code, output, reports } = await conformance(['--dry-run', '--seed', '7', file]);
    expect(code, output).toBe(2); // a usage error: the feature is wrong, not the app
    expect(output).toContain('the step "Alice shares her car key with Bob" is undefined: no sentence of the step catalog (docs/steps.md) matches it');
    const sentences = suggested(output, `${relative(ROOT, file)}:4`);
    expect(sentences, output).toHaveLength(3);
    expect(sentences[0]).toBe('When Alice shares a car key with Bob');
    // Every typo of the scenario, not only the first.
    expect(suggested(output, `${relative(ROOT, file)}:5`)[0]).toBe("Then Bob's phone provisions the car key exactly once");
    expect(output).toContain('every sentence you can use: docs/steps.md');
    expect(output).not.toMatch(SNIPPET);
    // The reports too; the Cucumber messages carry Cucumber's "suggestion" for the step: a pointer, not code.
    expect(reports).not.toMatch(/Implement with|'pending'|function \(/);
    const suggestions = reports.split('\n').filter((l) => l.startsWith('{"suggestion"')).flatMap((l) => (JSON.parse(l) as { suggestion: { snippets: Array<{ code: string }> } }).suggestion.snippets.map((s) => s.code));
    expect(suggestions.length).toBeGreaterThan(0);
    expect(new Set(suggestions)).toEqual(new Set([NOT_A_SNIPPET]));
    // A dry run's replay: the dry run of that scenario alone; no seed or role applies to it.
    const replays = [...output.matchAll(/^ {4}replay: (.*)$/gm)].map((m) => m[1]);
    expect(replays).toEqual([`npm run conformance -- --dry-run ${relative(ROOT, file)}:2`]);
    expect(output).not.toMatch(/replay this run with SCT_SEED/);
  });
});

describe('the closest sentences', () => {
  // A catalog of a few definitions in both styles, with the project's kinds of parameter.
  const types = new Map([
    ['person', { regexps: ['[A-Z][a-z]+'] }],
    ['credential', { regexps: ['car key|authorization token'] }],
  ]);
  const catalog = new StepCatalog(
    [
      { pattern: /^(\w+) shares (?:an? |(the largest ))(.+?)(?: the protocol allows)? with (\w+)(?: in the (stateful|stateless) flow)?$/ },
      { pattern: /^(\w+) deletes (?:his|her|their) Signal account$/ },
      { pattern: '{person} cancels the share' },
      { pattern: "the server delivered the invitation to {person}'s phone {int} times" },
      { pattern: '{person} names the {credential} {string}' },
    ],
    types,
  );

  it('fills parameters with what the typed sentence says in their place: names, numbers, strings, credentials', () => {
    expect(catalog.closest('Mallory share an authorization token with Carol in the stateful flow')[0]).toBe('Mallory shares an authorization token with Carol in the stateful flow');
    expect(catalog.closest('Mallory shares her authorization token with Carol')[0]).toMatch(/^Mallory shares an? authorization token with Carol$/);
    expect(catalog.closest("the server deliverd the invitation to Bob's phone 3 times")[0]).toBe("the server delivered the invitation to Bob's phone 3 times");
    expect(catalog.closest('Alice name the car key "Front door"')[0]).toBe('Alice names the car key "Front door"');
  });

  it('ranks by edit distance, three at most, one per definition', () => {
    const closest = catalog.closest('Bob delete his Signal acount');
    expect(closest.slice(0, 2)).toEqual(['Bob deletes his Signal account', 'Bob cancels the share']);
    expect(closest).toHaveLength(3);
  });
});

describe('gherkin-lint (npm run lint:features)', () => {
  it('fails on a badly written feature, naming the file, the line and the rule', async () => {
    const file = draft(`Feature: careless

  @reciever-only
  Scenario: a tag misspelt 
     Given Alice and Bob have phones with the credential app, on Signal
`);
    const lint = await run('npm', ['run', '--silent', 'lint:features', '--', file]);
    const { code } = lint;
    const output = lint.output.replace(/\x1b\[[0-9;]*m/g, ''); // gherkin-lint colours whatever the terminal
    expect(code).not.toBe(0);
    expect(output).toContain(file);
    const findings = [...output.matchAll(/^\s+(\d+)\s+(.*?)\s{2,}([a-z-]+)\s*$/gm)].map((m) => `${m[1]} ${m[3]}`);
    expect(findings).toEqual(['3 allowed-tags', '4 no-trailing-spaces', '5 indentation']);
  });
});
