/**
 * Which scenario checks which requirement: reads the feature files' `@req=<ID>` tags (feature,
 * rule, scenario and example tags all count) and matches them with the catalog.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { REQUIREMENTS, requirementIds, type Requirement } from './requirements.ts';

export interface ScenarioTags {
  /** The scenario's name; an outline counts once, under its template name. */
  name: string;
  uri: string;
  requirements: string[];
}

export interface Coverage {
  scenarios: ScenarioTags[];
  /** Requirement id -> names of the scenarios that check it. */
  byRequirement: Map<string, string[]>;
  /** Problems that make the catalog and the features disagree. */
  problems: string[];
}

function featureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return featureFiles(path);
    return entry.name.endsWith('.feature') ? [path] : [];
  });
}

/** Reads every scenario of every feature under `featuresDir`. */
export function readScenarios(featuresDir: string, root = process.cwd()): ScenarioTags[] {
  let id = 0;
  const newId = () => String(id++);
  const seen = new Map<string, ScenarioTags>();
  for (const file of featureFiles(featuresDir).sort()) {
    const uri = relative(root, file);
    const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(readFileSync(file, 'utf8'));
    // Scenario names as written: an outline's, with its <placeholders>.
    const written = new Map<string, string>();
    for (const child of document.feature?.children ?? []) {
      for (const c of child.rule ? child.rule.children : [child]) if (c.scenario) written.set(c.scenario.id, c.scenario.name);
    }
    for (const pickle of compile({ ...document, uri }, uri, newId)) {
      // An outline's examples share its template; name them by the template's source line.
      const key = `${uri}:${pickle.astNodeIds[0]}`;
      const requirements = requirementIds(pickle.tags.map((t) => t.name));
      const existing = seen.get(key);
      if (existing) existing.requirements = [...new Set([...existing.requirements, ...requirements])];
      else seen.set(key, { name: written.get(pickle.astNodeIds[0]!) ?? pickle.name, uri, requirements });
    }
  }
  return [...seen.values()];
}

export function coverage(scenarios: ScenarioTags[], catalog: Requirement[] = REQUIREMENTS): Coverage {
  const problems: string[] = [];
  const byRequirement = new Map(catalog.map((r) => [r.id, [] as string[]]));
  for (const scenario of scenarios) {
    if (scenario.requirements.length === 0) problems.push(`scenario "${scenario.name}" (${scenario.uri}) has no @req tag`);
    for (const id of scenario.requirements) {
      const list = byRequirement.get(id);
      if (!list) problems.push(`scenario "${scenario.name}" (${scenario.uri}) names unknown requirement ${id}`);
      else if (!list.includes(scenario.name)) list.push(scenario.name);
    }
  }
  for (const r of catalog) {
    if (r.level === 'MUST' && byRequirement.get(r.id)!.length === 0) problems.push(`MUST requirement ${r.id} is checked by no scenario`);
  }
  return { scenarios, byRequirement, problems };
}
