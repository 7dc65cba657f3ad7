/**
 * Step definitions as sentences a product person can read and paste. A definition is a pattern
 * (a Cucumber expression such as `{person} cancels the share`, or a regular expression such as
 * `^(\w+) shares (?:an? |(the largest ))(.+?) with (\w+)$`); it becomes the concrete sentence of
 * its language that reads closest to a sentence someone typed: each alternation and optional
 * part as the typed text has it, each parameter filled with what the typed text says in its
 * place (names, numbers, the credential) or else an example (Alice, 2, car key, <word>).
 * Only the regular-expression syntax step definitions use is understood (groups, alternation,
 * `?`, `+`, `*`, `\w`, `\d`, `.`, character classes); a pattern beyond it is shown as written.
 */

/** A parameter's place in a sentence, and how to fill it. */
export interface Slot {
  /** Values of this kind in the typed text, in order (names, numbers, credentials...): the slot takes the next unused one. */
  find?: RegExp;
  /** The slot's value right after the word before it in the typed text: one token matching this, or `rest` (up to the next word of the sentence). */
  after?: RegExp | 'rest';
  /** The value when the typed text gives none. */
  example: string;
}

/** A pattern parsed: text, slots, and choices (an alternation; an optional part is a choice with an empty option). */
export type Part = { text: string } | { slot: Slot } | { choice: Part[][] };

/** What a slot of a Cucumber expression is, by parameter type name. */
export type ParameterTypes = ReadonlyMap<string, { regexps: ReadonlyArray<string | RegExp> }>;

/** The patterns a sentence can be typed against: a support code library's step definitions have this shape. */
export interface StepPattern {
  pattern: string | RegExp;
}

/** Renditions tried per definition at most (choices multiply: `(second|minute|hour)s?` twice is 36). */
const MAX_RENDITIONS = 2000;
/** Examples for name slots, in the order people appear in the features. */
const NAMES = ['Alice', 'Bob', 'Mallory', 'Carol'];
const NAME = /\b[A-Z][a-z]+\b/g;
const NUMBER = /\b\d+\b/g;

/** A pattern the renderer does not understand. */
class Unsupported extends Error {}

// ---------------------------------------------------------------------------------------------
// Regular expressions (the subset step definitions use)

/** Parses a step definition's regular expression; throws Unsupported beyond the subset. */
function parseRegExp(source: string, slotFor: (atom: string) => Slot = (cls) => classSlot(cls)): Part[] {
  let at = 0;
  const sequence = (): Part[][] => {
    const options: Part[][] = [[]];
    while (at < source.length && source[at] !== ')') {
      if (source[at] === '|') {
        at++;
        options.push([]);
        continue;
      }
      options[options.length - 1]!.push(...quantified(atom()));
    }
    return options;
  };
  const atom = (): { part?: Part; cls?: string } => {
    const c = source[at++]!;
    if (c === '^' || c === '$') return {};
    if (c === '(') {
      if (source[at] === '?') {
        if (source[at + 1] !== ':') throw new Unsupported(`(?${source[at + 1]}`);
        at += 2;
      }
      const options = sequence();
      if (source[at++] !== ')') throw new Unsupported('unclosed group');
      const lone = options.length === 1 && options[0]!.length === 1 ? options[0]![0] : undefined;
      return { part: lone ?? { choice: options } };
    }
    if (c === '[') {
      const end = source.indexOf(']', at + 1);
      if (end < 0) throw new Unsupported('unclosed class');
      const cls = source.slice(at - 1, end + 1);
      at = end + 1;
      return { cls };
    }
    if (c === '.') return { cls: '.' };
    if (c === '\\') {
      const e = source[at++]!;
      if ('wdsWDS'.includes(e)) return e === 's' ? { part: { text: ' ' } } : { cls: `\\${e}` };
      if (/[a-zA-Z0-9]/.test(e)) throw new Unsupported(`\\${e}`);
      return { part: { text: e } };
    }
    if ('*+?{}'.includes(c)) throw new Unsupported(`a lone ${c}`);
    return { part: { text: c } };
  };
  const quantified = ({ part, cls }: { part?: Part; cls?: string }): Part[] => {
    const q = source[at];
    const many = q === '+' || q === '*';
    if (q === '?' || many) {
      at++;
      if (source[at] === '?') at++; // lazy: the same sentences
    } else if (q === '{') throw new Unsupported('{n,m}');
    const one: Part | undefined = cls ? (many ? { slot: slotFor(cls) } : { text: cls === '\\d' ? '1' : 'x' }) : part;
    if (!one) return [];
    if (q === '?') return [{ choice: [[], [one]] }]; // shorter first: it wins ties ("a car key" over "an car key")
    if (q === '*' && !cls) return [{ choice: [[], [one]] }];
    return [one];
  };
  const options = sequence();
  if (at < source.length) throw new Unsupported('unbalanced )');
  return options.length === 1 ? options[0]! : [{ choice: options }];
}

/**
 * A slot for `\w+`, `\d+`, `.+` or a character class repeated. `known`: values of the project's
 * own parameter types (credentials, states...), which free text (`.+`) in a sentence mostly is.
 */
function classSlot(cls: string, known?: RegExp): Slot {
  if (cls === '\\d') return { find: NUMBER, after: /^\d+/, example: '2' };
  // A lone word is mostly a person ("(\w+)'s phone"); fill() tells the things ("a (\w+)") apart.
  if (cls === '\\w' || cls.startsWith('[A-Z]')) return { find: NAME, after: /^\w+/, example: '' };
  if (cls === '.') return { ...(known ? { find: known } : {}), after: 'rest', example: '<text>' };
  return { after: new RegExp(`^${cls}+`), example: '<word>' };
}

/** Any value of the project's parameter types that are not people (`{credential}`, `{state}`): what free text in a regular expression mostly stands for. */
function knownValues(types: ParameterTypes): RegExp | undefined {
  const own = [...types].filter(([name]) => !(name in BUILT_IN)).map(([, t]) => t);
  const sources = own.flatMap((t) => t.regexps.map((r) => (typeof r === 'string' ? r : r.source))).filter((s) => !new RegExp(`^(?:${s})$`).test('Alice'));
  return sources.length ? new RegExp(`\\b(?:${sources.map((s) => `(?:${s})`).join('|')})\\b`, 'g') : undefined;
}

// ---------------------------------------------------------------------------------------------
// Cucumber expressions

/** Parses a Cucumber expression: `{type}` parameters, `(optional)` text, `a/b` alternatives, `\` escapes. */
function parseExpression(source: string, types: ParameterTypes): Part[] {
  const parts: Part[] = [];
  let word: Part[][] = [[]]; // the current word's alternatives (a/b)
  const flushWord = () => {
    parts.push(...(word.length > 1 ? [{ choice: word }] : word[0]!));
    word = [[]];
  };
  const add = (part: Part) => word[word.length - 1]!.push(part);
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) add({ text: source[++i]! });
    else if (c === ' ') {
      flushWord();
      parts.push({ text: ' ' });
    } else if (c === '/') word.push([]);
    else if (c === '(') {
      const end = source.indexOf(')', i);
      if (end < 0) throw new Unsupported('unclosed (');
      add({ choice: [[], [{ text: source.slice(i + 1, end) }]] });
      i = end;
    } else if (c === '{') {
      const end = source.indexOf('}', i);
      if (end < 0) throw new Unsupported('unclosed {');
      add({ slot: parameterSlot(source.slice(i + 1, end), types) });
      i = end;
    } else add({ text: c });
  }
  flushWord();
  return parts;
}

const BUILT_IN: Record<string, Slot> = {
  int: { find: /-?\b\d+\b/g, after: /^-?\d+/, example: '2' },
  float: { find: /-?\b\d+(?:\.\d+)?\b/g, after: /^-?\d+(?:\.\d+)?/, example: '1.5' },
  word: { after: /^[^\s]+/, example: '<word>' },
  string: { find: /"[^"]*"|'[^']*'/g, after: /^(?:"[^"]*"|'[^']*')/, example: '"<text>"' },
  '': { after: 'rest', example: '<text>' },
};
for (const name of ['double', 'bigdecimal', 'byte', 'short', 'long', 'biginteger']) BUILT_IN[name] = BUILT_IN.float!;

/** A `{type}` parameter's slot: built-in types by kind; a project's type by its regular expression, its example rendered from it. */
function parameterSlot(name: string, types: ParameterTypes): Slot {
  if (BUILT_IN[name]) return BUILT_IN[name]!;
  const regexps = types.get(name)?.regexps ?? [];
  if (!regexps.length) return { example: `{${name}}` };
  const sources = regexps.map((r) => (typeof r === 'string' ? r : r.source));
  const any = sources.map((s) => `(?:${s})`).join('|');
  const whole = new RegExp(`^(?:${any})$`);
  // People: named from the typed text, else Alice, Bob... (an empty example picks the next name).
  let example = whole.test('Alice and Bob') ? 'Alice and Bob' : whole.test('Alice') ? '' : `<${name}>`;
  if (example === `<${name}>`) {
    try {
      example = fill(expand(parseRegExp(sources[0]!))[0]!, '', new Map());
    } catch {
      // a type beyond the subset: its name in brackets
    }
  }
  return { find: new RegExp(`\\b(?:${any})\\b`, 'g'), after: new RegExp(`^(?:${any})`), example };
}

// ---------------------------------------------------------------------------------------------
// Rendering

type Item = string | Slot;

/** Every rendition of the parts: one item list per combination of choices (at most MAX_RENDITIONS). */
function expand(parts: Part[]): Item[][] {
  let renditions: Item[][] = [[]];
  for (const part of joinTexts(parts)) {
    if ('text' in part) renditions = renditions.map((r) => [...r, part.text]);
    else if ('slot' in part) renditions = renditions.map((r) => [...r, part.slot]);
    else {
      const options = part.choice.flatMap((option) => expand(option));
      renditions = renditions.flatMap((r) => options.map((o) => [...r, ...o])).slice(0, MAX_RENDITIONS);
    }
  }
  return renditions.map(merge);
}

/** Adjacent text parts as one (parsing yields a part per character): fewer steps in expand. */
function joinTexts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if ('text' in part && last && 'text' in last) out[out.length - 1] = { text: last.text + part.text };
    else out.push(part);
  }
  return out;
}

/** Adjacent texts as one (the word before a slot is then the end of one string). */
function merge(items: Item[]): Item[] {
  const out: Item[] = [];
  for (const item of items) {
    if (typeof item === 'string' && typeof out[out.length - 1] === 'string') out[out.length - 1] += item;
    else out.push(item);
  }
  return out;
}

/**
 * One rendition as a sentence, its slots filled from `typed`: the value right after the word
 * that precedes the slot, when that word is there; else the next unused value of the slot's kind;
 * else its example. `used` counts the values of each kind taken so far.
 */
function fill(items: Item[], typed: string, used: Map<string, number>): string {
  let out = '';
  let cursor = 0;
  const names = new Set<string>();
  const literal = items.filter((item) => typeof item === 'string').join(' ');
  items.forEach((item, i) => {
    if (typeof item === 'string') {
      out += item;
      return;
    }
    const before = items[i - 1];
    // "a (\w+)", "his (\w+)", "Bob's (\w+)": a thing (a tablet), not a person.
    const slot = item.find === NAME && typeof before === 'string' && /(?:\b(?:an?|his|her|their|its|the)|'s) $/.test(before) ? { after: item.after, example: '<word>' } : item;
    const value = afterWord(slot, before, items[i + 1], typed, cursor) ?? nextFound(slot, typed, used, literal) ?? (slot.example || NAMES.find((n) => !names.has(n) && !typed.includes(n)) || 'Alice');
    if (!slot.example) names.add(value);
    const found = typed.indexOf(value, cursor);
    if (found >= 0) cursor = found + value.length;
    out += value;
  });
  return out;
}

function afterWord(slot: Slot, before: Item | undefined, next: Item | undefined, typed: string, from: number): string | undefined {
  if (!slot.after || typeof before !== 'string') return undefined;
  const word = /(\S+)(\s*)$/.exec(before);
  if (!word) return undefined;
  const preceding = word[1]!;
  const gap = word[2]!;
  if (slot.after === 'rest') {
    // Free text runs up to the sentence's next word: both words must be there, as typed.
    const following = typeof next === 'string' ? /^\s*(\S+)/.exec(next)?.[1] : undefined;
    const end = following ? indexOfWord(typed, following, from, '') : typed.length;
    if (end < 0) return undefined;
    let at = -1;
    for (let i = indexOfWord(typed, preceding, from, gap); i >= 0 && i < end; i = indexOfWord(typed, preceding, i + 1, gap)) at = i;
    if (at < 0) return undefined;
    return typed.slice(at + preceding.length + gap.length, end).trim() || undefined;
  }
  const at = indexOfWord(typed, preceding, from, gap);
  if (at < 0) return undefined;
  return slot.after.exec(typed.slice(at + preceding.length + gap.length))?.[0];
}

/** Where `word` (followed by `gap`) stands in `text` as a whole word, from `from`; -1 when it does not. */
function indexOfWord(text: string, word: string, from: number, gap: string): number {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // "'s" follows its name with no space: only a word starting with a letter needs one before it.
  const match = new RegExp(`${/^\w/.test(word) ? '(?:^|(?<=\\s))' : ''}${escaped}${gap ? '\\s+' : '(?=\\s|$|\\W)'}`, 'g');
  match.lastIndex = from;
  const m = match.exec(text);
  return m ? m.index : -1;
}

/** The next value of the slot's kind in the typed text; values the sentence itself says ("as failed because", "answers 429") are not parameters. */
function nextFound(slot: Slot, typed: string, used: Map<string, number>, literal: string): string | undefined {
  if (!slot.find) return undefined;
  const key = slot.find.source;
  const found = [...typed.matchAll(new RegExp(slot.find.source, 'g'))].map((m) => m[0]).filter((value) => indexOfWord(literal, value, 0, '') < 0);
  const index = used.get(key) ?? 0;
  used.set(key, index + 1);
  return found[index];
}

/** A step definition's pattern parsed; a pattern beyond the subset stays its own text. */
export function parsePattern(pattern: string | RegExp, types: ParameterTypes): Part[] {
  try {
    if (typeof pattern === 'string') return parseExpression(pattern, types);
    const known = knownValues(types);
    return parseRegExp(pattern.source, (cls) => classSlot(cls, known));
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    return [{ text: typeof pattern === 'string' ? pattern : pattern.source.replace(/^\^|\$$/g, '') }];
  }
}

/** Every rendition of a parsed pattern as a sentence, its slots filled from `typed`. */
export function sentences(parts: Part[], typed: string): string[] {
  return expand(parts).map((items) => fill(items, typed, new Map()));
}
