/**
 * The requirements a scenario checks, as the Allure report shows them: the words of each (from
 * the catalog, src/requirements.ts) attached to the scenario and on a page of their own beside
 * the report (requirements.html, which the `@req=` links open), both readable offline; and the
 * requirement ids with a short text at the head of every failure message.
 */
import { REQUIREMENTS, DOCUMENTS, type Requirement } from '../requirements.ts';
import { escapeXml } from './xml.ts';

const BY_ID = new Map(REQUIREMENTS.map((r) => [r.id, r]));

/** The page written beside the report's index.html (src/report.ts); requirement links point into it. */
export const REQUIREMENTS_PAGE = 'requirements.html';

/** The link a `@req=R-X` tag becomes: relative, so it opens the page the report carries. */
export const requirementUrl = (id: string): string => `${REQUIREMENTS_PAGE}#${id.toLowerCase()}`;

/** The Allure link to a requirement, named by its id and short text (Allure shows a link by its name). */
export function requirementLink(id: string): { type: 'requirement'; url: string; name: string } {
  return { type: 'requirement', url: requirementUrl(id), name: describeRequirement(id) };
}

/**
 * A requirement's first sentence (up to its first `.`, `;` or `:` outside parentheses), cut at a
 * word to at most `max` characters: enough to recognise it in a failure message.
 */
export function shortText(text: string, max = 100): string {
  let depth = 0;
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && '.;:'.includes(c) && (i + 1 === text.length || text[i + 1] === ' ')) {
      end = i;
      break;
    }
  }
  const first = text.slice(0, end);
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  return `${cut.slice(0, cut.lastIndexOf(' ')).replace(/[,;]$/, '')}…`;
}

/** `R-ONCE-1 (A share is provisioned at most once, ...)`; an id the catalog lacks is named as such. */
export function describeRequirement(id: string): string {
  const found = BY_ID.get(id);
  return found ? `${id} (${shortText(found.text)})` : `${id} (not in the requirement catalog)`;
}

const CATALOG_ID = /\bR-[A-Z]+-\d+\b/g;

/**
 * A failure message headed by the requirements its scenario checks: `R-ONCE-1 (...): <message>`.
 * A message that already names a requirement of the catalog (the monitor's verdicts, an app's
 * violation report) is left as it is: it names the rule actually broken. No ids, no change.
 */
export function withRequirements(message: string, ids: readonly string[]): string {
  if (!ids.length) return message;
  if ([...message.matchAll(CATALOG_ID)].some((m) => BY_ID.has(m[0]))) return message;
  return `${ids.map(describeRequirement).join('; ')}: ${message}`;
}

/** `message` without the head withRequirements gave it (where the requirements are shown beside it). */
export function withoutRequirements(message: string, ids: readonly string[]): string {
  const head = `${ids.map(describeRequirement).join('; ')}: `;
  return ids.length && message.startsWith(head) ? message.slice(head.length) : message;
}

/** One requirement as an HTML fragment: its level and words, its sources' words, the note. */
function requirementSection(r: Requirement): string {
  const sources = r.sources
    .map((s) => `<blockquote><p>${escapeXml(s.quote)}</p><footer>${escapeXml(DOCUMENTS[s.doc])}, ${escapeXml(s.section)}</footer></blockquote>`)
    .join('');
  return (
    `<section id="${escapeXml(r.id.toLowerCase())}"><h2>${escapeXml(r.id)}</h2>` +
    `<p><strong>${r.level}</strong>: ${escapeXml(r.text)}</p>${sources}` +
    (r.note ? `<p class="note">Note: ${escapeXml(r.note)}</p>` : '') +
    `</section>`
  );
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:52em;margin:1em auto;padding:0 1em;line-height:1.45;color:#1f2937}' +
  'blockquote{margin:.5em 0 .5em 1em;padding-left:.8em;border-left:3px solid #9ca3af;color:#374151}' +
  'footer{font-size:.85em;color:#6b7280}.note{color:#4b5563}section{margin-bottom:1.6em}:target{background:#fef9c3}';

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** The attachment for one requirement a scenario checks (text/html: Allure shows it inline). */
export function requirementAttachment(id: string): string {
  const found = BY_ID.get(id);
  return page(id, found ? requirementSection(found) : `<h2>${escapeXml(id)}</h2><p>This id is not in the requirement catalog (src/requirements.ts).</p>`);
}

/** Every requirement of the catalog on one page, each at its own anchor (`#r-once-1`). */
export function requirementsPage(): string {
  return page(
    'Requirements',
    `<h1>Requirements</h1><p>What a credential app must do to pass the conformance suite, each with the words of its source (generated from src/requirements.ts, as docs/requirements.md is).</p>` +
      REQUIREMENTS.map(requirementSection).join(''),
  );
}
