/**
 * The sequence diagram of a scenario's exchange (exchange.ts) as an SVG document: a lifeline for
 * each phone and one for the server, one row per message or note, simulated time in the left
 * margin. Plain string building, no fonts measured, no browser: the same exchange gives the same
 * bytes, and a scenario's diagram costs well under a millisecond.
 *
 * Long exchanges stay readable: every row has a fixed height and its own time, the lifeline names
 * come again at the bottom and every REPEAT_EVERY rows, and each transfer's id has a colour of its own.
 */
import { formatDuration, type Arrow, type Exchange, type Note, type Tone } from './exchange.ts';
import { escapeXml } from './xml.ts';

const FONT = 12;
/** Average advance of a 12 px sans-serif character: labels are cut to fit, never measured. */
const CHAR = 6.6;
const GUTTER = 96;
const LANE = 250;
const HEAD = 30;
const ARROW_ROW = 30;
const MARKED_ROW = 44;
const NOTE_ROW = 24;
const REPEAT_EVERY = 30;
/** A note across the diagram (a failure) wraps to this many lines of this height. */
const WIDE_LINES = 4;
const LINE = 15;

const COLOURS: Record<Tone, string> = {
  normal: '#1f2937',
  fault: '#b45309',
  failure: '#b91c1c',
  story: '#1d4ed8',
  app: '#047857',
  muted: '#6b7280',
};
/** One colour per transfer, in order of first appearance. */
const TRANSFER_COLOURS = ['#7c3aed', '#0e7490', '#be185d', '#4d7c0f', '#c2410c', '#1e40af'];

/** `value` cut to `chars` characters, with an ellipsis when cut. */
function fit(value: string, chars: number): string {
  const line = value.split('\n')[0]!;
  const max = Math.max(4, Math.floor(chars));
  return line.length > max ? `${line.slice(0, max - 1)}…` : line.length < value.length ? `${line} …` : line;
}

export interface DiagramOptions {
  /** Shown above the diagram (the scenario's name). */
  title?: string;
}

export function renderSequenceDiagram(exchange: Exchange, options: DiagramOptions = {}): string {
  const { lifelines, rows, start } = exchange;
  const width = GUTTER + lifelines.length * LANE + 16;
  const x = (lane: number) => GUTTER + lane * LANE + LANE / 2;
  const transferColours = new Map<string, string>();
  const colourOf = (id: string) => {
    if (!transferColours.has(id)) transferColours.set(id, TRANSFER_COLOURS[transferColours.size % TRANSFER_COLOURS.length]!);
    return transferColours.get(id)!;
  };

  const out: string[] = [];
  let y = 8;
  if (options.title) {
    y += 16;
    out.push(`<text x="8" y="${y}" font-weight="bold" font-size="14">${escapeXml(fit(options.title, (width - 16) / 7.5))}</text>`);
  }
  y += 16;
  out.push(
    `<text x="8" y="${y}" fill="${COLOURS.muted}">simulated time from ${escapeXml(new Date(start).toISOString())}; ` +
      `<tspan fill="${COLOURS.normal}">message</tspan> · <tspan fill="${COLOURS.fault}">fault</tspan> · <tspan fill="${COLOURS.story}">story</tspan> · ` +
      `<tspan fill="${COLOURS.app}">app reports</tspan> · <tspan fill="${COLOURS.failure}">failure</tspan></text>`,
  );
  y += 10;
  const heads = (top: number) =>
    lifelines
      .map(
        (name, lane) =>
          `<rect x="${x(lane) - LANE / 2 + 12}" y="${top}" width="${LANE - 24}" height="${HEAD - 4}" rx="5" fill="${lane === exchange.server ? '#e5e7eb' : '#dbeafe'}" stroke="#4b5563"/>` +
          `<text x="${x(lane)}" y="${top + HEAD / 2 + 2}" text-anchor="middle" font-weight="bold">${escapeXml(fit(name, (LANE - 32) / 7.2))}</text>`,
      )
      .join('');
  out.push(heads(y));
  const top = y + HEAD - 4;
  y += HEAD + 8;

  let lastTime: number | undefined;
  rows.forEach((row, index) => {
    if (index > 0 && index % REPEAT_EVERY === 0) {
      // The names again, faint: in a long diagram the header is far above.
      y += 4;
      out.push(lifelines.map((name, lane) => `<text x="${x(lane) + 4}" y="${y + 8}" fill="${COLOURS.muted}" font-size="10">${escapeXml(fit(name, 30))}</text>`).join(''));
      y += 14;
    }
    const wide = row.type === 'note' && row.lane === undefined ? wrap(row.text, (width - GUTTER - 24) / CHAR, WIDE_LINES) : [];
    const height = row.type === 'note' ? NOTE_ROW + Math.max(0, wide.length - 1) * LINE : row.marks.length ? MARKED_ROW : ARROW_ROW;
    const line = row.type === 'note' ? y + NOTE_ROW / 2 : y + 20;
    if (row.at !== lastTime) {
      out.push(`<text x="8" y="${line + 4}" fill="${COLOURS.muted}">+${escapeXml(formatDuration(row.at - start))}</text>`);
      lastTime = row.at;
    }
    out.push(row.type === 'note' ? (wide.length ? wideNote(row, wide, line, width) : note(row, line, x, width)) : arrow(row, line, x, colourOf));
    y += height;
  });

  const bottom = y + 6;
  const lines = lifelines.map((_, lane) => `<line x1="${x(lane)}" y1="${top}" x2="${x(lane)}" y2="${bottom}" stroke="#9ca3af" stroke-dasharray="4 4"/>`).join('');
  out.push(heads(bottom));
  const height = bottom + HEAD + 8;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="${FONT}">` +
    // One arrowhead per tone: context-stroke is too new to count on in every viewer.
    `<defs>${Object.entries(COLOURS).map(([tone, colour]) => `<marker id="head-${tone}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="${colour}"/></marker>`).join('')}</defs>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    // Lifelines under everything else.
    lines +
    out.join('') +
    `</svg>\n`
  );
}

function arrow(row: Arrow, line: number, x: (lane: number) => number, colourOf: (id: string) => string): string {
  const colour = COLOURS[row.tone];
  const x1 = x(row.from);
  const x2 = x(row.to);
  const direction = Math.sign(x2 - x1) || 1;
  // A lost message stops short of its target, with a cross where it was lost.
  const end = row.lost ? x1 + (x2 - x1) * 0.75 : x2 - direction * 2;
  const span = Math.abs(x2 - x1);
  const middle = (x1 + x2) / 2;
  const parts = [
    `<line x1="${x1}" y1="${line}" x2="${end}" y2="${line}" stroke="${colour}" stroke-width="1.5"${row.tone === 'muted' ? ' stroke-dasharray="5 3"' : ''}${row.lost ? '' : ` marker-end="url(#head-${row.tone})"`}/>`,
  ];
  if (row.lost) parts.push(`<path d="M${end - 4},${line - 4}L${end + 4},${line + 4}M${end - 4},${line + 4}L${end + 4},${line - 4}" stroke="${COLOURS.failure}" stroke-width="2"/>`);
  const label = fit(row.label, (span - 10) / CHAR - (row.transfer ? 9 : 0));
  parts.push(
    `<text x="${middle}" y="${line - 6}" text-anchor="middle" fill="${colour}"><tspan font-weight="bold">${escapeXml(label)}</tspan>` +
      (row.transfer ? ` <tspan fill="${colourOf(row.transfer)}">${escapeXml(row.transfer)}</tspan>` : '') +
      `</text>`,
  );
  if (row.marks.length) {
    parts.push(`<text x="${middle}" y="${line + 15}" text-anchor="middle" fill="${row.tone === 'failure' ? COLOURS.failure : COLOURS.fault}" font-size="11">${escapeXml(fit(row.marks.join('; '), (span + LANE) / 6))}</text>`);
  }
  return parts.join('');
}

/** `text` in lines of at most `chars` characters, broken at spaces, at most `max` lines (the last cut with an ellipsis). */
export function wrap(text: string, chars: number, max: number): string[] {
  const width = Math.max(8, Math.floor(chars));
  const lines: string[] = [];
  for (const paragraph of text.split('\n').filter((l) => l.trim())) {
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${word}` : word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    if (line) lines.push(line);
  }
  if (lines.length > max) return [...lines.slice(0, max - 1), fit(`${lines[max - 1]} ${lines[max]}`, width)];
  return lines.length ? lines : [''];
}

/** A note across the whole diagram (the story's end, a failure), wrapped. */
function wideNote(row: Note, lines: string[], line: number, width: number): string {
  const colour = COLOURS[row.tone];
  return (
    `<rect x="${GUTTER}" y="${line - 9}" width="${width - GUTTER - 8}" height="${18 + (lines.length - 1) * LINE}" fill="${row.tone === 'failure' ? '#fee2e2' : '#f3f4f6'}" stroke="${colour}" stroke-width="0.5"/>` +
    lines.map((l, i) => `<text x="${GUTTER + 6}" y="${line + 4 + i * LINE}" fill="${colour}">${escapeXml(l)}</text>`).join('')
  );
}

function note(row: Note, line: number, x: (lane: number) => number, width: number): string {
  const colour = COLOURS[row.tone];
  const text = fit(row.text, (LANE * 1.6) / CHAR);
  const boxWidth = text.length * CHAR + 12;
  const left = Math.max(GUTTER, Math.min(x(row.lane!) - boxWidth / 2, width - boxWidth - 8));
  return (
    `<rect x="${left}" y="${line - 9}" width="${boxWidth}" height="18" rx="4" fill="#ffffff" stroke="${colour}"/>` +
    `<text x="${left + boxWidth / 2}" y="${line + 4}" text-anchor="middle" fill="${colour}">${escapeXml(text)}</text>`
  );
}
