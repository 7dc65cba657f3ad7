/**
 * What a product person reads when a step of theirs binds to nothing: the sentences of the step
 * catalog closest to what they typed (edit distance, fastest-levenshtein), where the step is, and
 * where the whole catalog is. Never code: a step that does not bind is a wrong sentence in a
 * feature, not a step definition to write.
 */
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';
import { distance } from 'fastest-levenshtein';
import { parsePattern, sentences, type ParameterTypes, type Part, type StepPattern } from './step-sentences.ts';
import { featurePath, packageFile } from '../run/where.ts';

/** The catalog every message points to (its sentences are these step definitions, explained). */
export const CATALOG = 'docs/steps.md';

/** What finds the sentences closest to a typed one (a StepCatalog, or one built when first asked). */
export interface Suggester {
  /** The `count` (default 3) sentences closest to `typed`, closest first. */
  closest(typed: string, count?: number): string[];
}

/** The step definitions, parsed once, ranked against any typed sentence. */
export class StepCatalog implements Suggester {
  private readonly parsed: Part[][];

  constructor(definitions: readonly StepPattern[], types: ParameterTypes) {
    this.parsed = definitions.map((d) => parsePattern(d.pattern, types));
  }

  /** The `count` sentences closest to `typed`, closest first: one per step definition, each its rendition nearest to `typed`. */
  closest(typed: string, count = 3): string[] {
    const best = new Map<string, number>();
    for (const parts of this.parsed) {
      let nearest: { sentence: string; d: number } | undefined;
      for (const sentence of sentences(parts, typed)) {
        const d = distance(typed, sentence);
        if (!nearest || d < nearest.d) nearest = { sentence, d };
      }
      if (nearest && nearest.d < (best.get(nearest.sentence) ?? Infinity)) best.set(nearest.sentence, nearest.d);
    }
    // Ties keep the definitions' order (a sort is stable): the same suggestions on every run.
    return [...best].sort((a, b) => a[1] - b[1]).slice(0, count).map(([sentence]) => sentence);
  }
}

/** The catalog of the step definitions and parameter types Cucumber loaded: the sentences that bind, exactly. */
export function catalogOf(support: ISupportCodeLibrary): StepCatalog {
  // The API's type is opaque; these are the parts of Cucumber's SupportCodeLibrary read here.
  const library = support as unknown as LoadedLibrary;
  const types = new Map([...library.parameterTypeRegistry.parameterTypes].map((t) => [t.name ?? '', { regexps: t.regexpStrings }] as const));
  return new StepCatalog(library.stepDefinitions, types);
}

/** What catalogOf reads of a support code library (Cucumber 12). */
interface LoadedLibrary {
  stepDefinitions: StepPattern[];
  parameterTypeRegistry: { parameterTypes: Iterable<{ name?: string; regexpStrings: readonly string[] }> };
}

/** An undefined step as the user wrote it. */
export interface UndefinedStep {
  /** The step's text (an outline's row substituted), without its keyword. */
  text: string;
  /** Its keyword as written (`When `, `And `), shown before each suggestion. */
  keyword: string;
  /** Where it is: the feature file (relative to the project root) and the step's line. */
  uri: string;
  line: number;
}

/**
 * The message for an undefined step: its first line is the one-line reason (the summary's
 * "why"); the lines after it say where, the closest sentences and where the catalog is.
 */
export function undefinedStepMessage(step: UndefinedStep, catalog: Suggester): string {
  const keyword = step.keyword.trim() ? step.keyword : '';
  return [
    `the step "${step.text}" is undefined: no sentence of the step catalog (${CATALOG}) matches it`,
    `at ${featurePath(step.uri)}:${step.line}`,
    'the closest sentences:',
    ...catalog.closest(step.text).map((s) => `  ${keyword}${s}`),
    `every sentence you can use: ${packageFile(CATALOG)}`,
  ].join('\n');
}
