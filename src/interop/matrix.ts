/**
 * The interop matrix: sender x receiver, passed/failed/skipped per cell, each failed cell naming
 * its scenarios and who broke what (the failure's first line, as the monitor or a step said it).
 */
import type { ScenarioStatus } from '../run/messages.ts';
import type { PlannedScenario } from '../run/plan.ts';
import { EXIT, type ExitCode } from '../run/exit-codes.ts';

export interface InteropApp {
  /** The short name given with --app. */
  name: string;
  /** What the harness loads: an absolute module or manifest path, or cmd:<command line>. */
  spec: string;
  /** As the user gave it, for replay lines; undefined for the bundled reference app. */
  arg: string | undefined;
}

/** One ordered pair's run. */
export interface Cell {
  sender: string;
  receiver: string;
  /** The pair's reports folder, relative to the matrix. */
  folder: string;
  code: ExitCode;
  scenarios: Array<PlannedScenario & { status: ScenarioStatus; message?: string }>;
}

const BAD: ScenarioStatus[] = ['failed', 'broken', 'unbound'];
const count = (cell: Cell, ...statuses: ScenarioStatus[]) => cell.scenarios.filter((s) => statuses.includes(s.status)).length;
/** A failure's first line; a monitor finding says whose it is ("the receiver acme: INV-ONCE ..."). */
function firstLine(text = ''): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const who = /^The protocol monitor found (.+?) breaking \d+ invariant/.exec(lines[0] ?? '');
  if (who) return `${who[1]}: ${lines[1]?.replace(/^\| /, '') ?? ''}`;
  return lines[0] ?? '';
}

function verdict(cell: Cell): string {
  if (cell.code === EXIT.USAGE && cell.scenarios.length === 0) return 'not run';
  const failed = count(cell, ...BAD);
  const text = `${count(cell, 'passed')} passed${failed ? `, **${failed} failed**` : ''}${count(cell, 'skipped') ? `, ${count(cell, 'skipped')} skipped` : ''}`;
  return `[${failed ? '✗' : '✓'} ${text}](${cell.folder}/)`;
}

export function matrixMarkdown(apps: InteropApp[], cells: Cell[], seed: number): string {
  const cell = (sender: string, receiver: string) => cells.find((c) => c.sender === sender && c.receiver === receiver);
  const lines = [
    `## Interop matrix (seed ${seed})`,
    '',
    'Rows: the sending app, on Alice\'s phone. Columns: the receiving app, on Bob\'s phone and every other. Each cell links to its reports; a failure names the phone (Alice\'s: the sender; any other: the receiver) or, for the protocol monitor, the side.',
    '',
    `| sender \\ receiver | ${apps.map((a) => a.name).join(' | ')} |`,
    `|---|${apps.map(() => '---').join('|')}|`,
    ...apps.map((s) => `| **${s.name}** | ${apps.map((r) => { const c = cell(s.name, r.name); return c ? verdict(c) : ''; }).join(' | ')} |`),
  ];
  const failures = cells.flatMap((c) => c.scenarios.filter((s) => BAD.includes(s.status)).map((s) => ({ c, s })));
  if (failures.length) {
    lines.push('', '### Failures', '');
    for (const { c, s } of failures) lines.push(`- **${c.sender} → ${c.receiver}**: ${s.name} (\`${s.uri}:${s.line}\`): ${firstLine(s.message).replace(/\|/g, '\\|')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function matrixJson(apps: InteropApp[], cells: Cell[], seed: number) {
  return {
    seed,
    apps: apps.map(({ name, arg }) => ({ name, app: arg ?? 'the reference app' })),
    cells: cells.map((c) => ({
      sender: c.sender,
      receiver: c.receiver,
      reports: c.folder,
      passed: count(c, 'passed'),
      failed: count(c, ...BAD),
      skipped: count(c, 'skipped'),
      scenarios: c.scenarios.map((s) => ({ name: s.name, location: `${s.uri}:${s.line}`, status: s.status, ...(s.message ? { why: s.message } : {}) })),
    })),
  };
}
