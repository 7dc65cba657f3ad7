/**
 * What a run will check, decided before any app code runs: the scenarios each pass selects, as
 * exact `uri:line` locations. Everything that would make a run check less than it was asked to
 * is a usage error here, naming the problem: a path that does not exist, a feature file that does
 * not parse (file and line), a scenario without steps, or a selection that matches nothing.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfiguration, loadSources } from '@cucumber/cucumber/api';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import type { FeatureChild, RuleChild } from '@cucumber/messages';
import { ROLE_EXCLUDES, type Role } from '../roles.ts';
import { UsageError } from './exit-codes.ts';
import { requirementIds } from '../requirements.ts';

/** One scenario of one pass. */
export interface PlannedScenario {
  role: Role;
  name: string;
  /** The feature file, relative to the project root. */
  uri: string;
  /** The scenario's line (an outline's example row); `uri:line` runs exactly this one. */
  line: number;
}

export interface Selection {
  /** Feature files or folders (optionally `file:line`); empty means `features/`. */
  paths: string[];
  names?: string[];
  tags?: string;
  roles: Role[];
}

export const DEFAULT_FEATURES = 'features';

/** The scenarios of every pass, in run order. Throws a UsageError when the selection is unusable. */
export async function planRun(selection: Selection, root: string): Promise<PlannedScenario[]> {
  const paths = selection.paths.length ? selection.paths : [DEFAULT_FEATURES];
  for (const path of paths) {
    const file = path.replace(/(?::\d+)+$/, '');
    if (!existsSync(resolve(root, file))) throw new UsageError(`${file} does not exist (looked in ${root})`);
  }
  const planned: PlannedScenario[] = [];
  let files = new Set<string>();
  for (const role of selection.roles) {
    const exclude = ROLE_EXCLUDES[role];
    const tags = [selection.tags && `(${selection.tags})`, exclude && `not ${exclude}`].filter(Boolean).join(' and ');
    const { runConfiguration } = await loadConfiguration(
      { file: false, provided: { paths, ...(selection.names?.length ? { name: selection.names } : {}), ...(tags ? { tags } : {}) } },
      { cwd: root },
    );
    const { plan, errors } = await loadSources(runConfiguration.sources, { cwd: root });
    if (errors.length) {
      const list = errors.map((e) => `  ${e.uri}:${e.location.line}: ${e.message.replace(/^\(\d+:\d+\): /, '')}`).join('\n');
      throw new UsageError(`${errors.length} feature file problem(s); nothing was run:\n${list}`);
    }
    for (const p of plan) planned.push({ role, name: p.name, uri: p.uri, line: p.location.line });
    files = new Set([...files, ...plan.map((p) => p.uri)]);
  }
  const empty = [...files].flatMap((uri) => scenariosWithoutSteps(resolve(root, uri)).map((s) => `  ${uri}:${s.line}: scenario "${s.name}" has no steps`));
  if (empty.length) throw new UsageError(`${empty.length} scenario(s) without steps would pass without checking anything:\n${empty.join('\n')}`);
  if (planned.length === 0) throw new UsageError(nothingSelected(selection, paths, root));
  return planned;
}

/** Why nothing was selected, naming the filter that left nothing. */
function nothingSelected(selection: Selection, paths: string[], root: string): string {
  const where = paths.join(', ');
  const hasFeatures = paths.some((p) => containsFeature(resolve(root, p.replace(/(?::\d+)+$/, ''))));
  if (!hasFeatures) return `no feature files in ${where}: nothing to run`;
  const filters = [
    ...(selection.names?.length ? [`--name ${selection.names.map((n) => JSON.stringify(n)).join(' --name ')}`] : []),
    ...(selection.tags ? [`--tags ${JSON.stringify(selection.tags)}`] : []),
    ...(selection.roles.length === 1 && selection.roles[0] !== 'both' ? [`--role ${selection.roles[0]} (which leaves out ${ROLE_EXCLUDES[selection.roles[0]!]})`] : []),
  ];
  return filters.length
    ? `no scenario in ${where} matches ${filters.join(' and ')}: nothing was run`
    : `no scenario selected in ${where}: nothing was run`;
}

function containsFeature(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isFile()) return path.endsWith('.feature');
  return readdirSync(path, { recursive: true, encoding: 'utf8' }).some((f) => f.endsWith('.feature'));
}

function newId(): () => string {
  let id = 0;
  return () => String(id++);
}

/** A feature file's Gherkin document (throws on a parse error). */
export function readFeature(file: string) {
  return new Parser(new AstBuilder(newId()), new GherkinClassicTokenMatcher()).parse(readFileSync(file, 'utf8'));
}

/** Scenarios (outlines included) that have no steps of their own and no background to run. */
function scenariosWithoutSteps(file: string): Array<{ name: string; line: number }> {
  let document;
  try {
    document = readFeature(file);
  } catch {
    return []; // loadSources has reported the parse error already
  }
  const found: Array<{ name: string; line: number }> = [];
  const visit = (children: ReadonlyArray<FeatureChild | RuleChild>, inherited: number) => {
    const background = children.reduce((n, c) => n + (c.background?.steps.length ?? 0), inherited);
    for (const child of children) {
      if (child.scenario && child.scenario.steps.length + background === 0) found.push({ name: child.scenario.name, line: child.scenario.location.line });
      if ('rule' in child && child.rule) visit(child.rule.children, background);
    }
  };
  visit(document.feature?.children ?? [], 0);
  return found;
}

/**
 * The requirements (`@req=...`, the feature's, rule's, scenario's and Examples' tags) of every
 * scenario and Examples row of these files, by `uri:line`, each once: what a scenario checks.
 */
export function requirementsByLine(root: string, uris: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const reqs = (tags: ReadonlyArray<{ name: string }>) => requirementIds(tags.map((t) => t.name));
  for (const uri of new Set(uris)) {
    const document = readFeature(resolve(root, uri));
    const visit = (items: ReadonlyArray<FeatureChild | RuleChild>, inherited: string[]) => {
      for (const child of items) {
        if ('rule' in child && child.rule) visit(child.rule.children, [...inherited, ...reqs(child.rule.tags)]);
        const scenario = child.scenario;
        if (!scenario) continue;
        const own = [...new Set([...inherited, ...reqs(scenario.tags)])];
        found.set(`${uri}:${scenario.location.line}`, own);
        for (const examples of scenario.examples) for (const row of examples.tableBody) found.set(`${uri}:${row.location.line}`, [...new Set([...own, ...reqs(examples.tags)])]);
      }
    };
    visit(document.feature?.children ?? [], reqs(document.feature?.tags ?? []));
  }
  return found;
}
