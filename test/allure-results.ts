/** Reading a run's Allure results in tests: the results and each test's attachments. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AllureResult {
  uuid: string;
  name: string;
  status: string;
  statusDetails?: { message?: string };
  labels: Array<{ name: string; value: string }>;
  parameters: Array<{ name: string; value: string }>;
  links: Array<{ url: string; type?: string }>;
}

export interface Attachment {
  name: string;
  type: string;
  source: string;
}

type Node = { attachments?: Attachment[]; steps?: Node[] };
const walk = (node: Node): Attachment[] => [...(node.attachments ?? []), ...(node.steps ?? []).flatMap(walk)];

/** What a test's body holds: its own attachments and its steps'. */
export function bodyAttachments(result: AllureResult): Attachment[] {
  return walk(result as Node);
}

/** A test's attachments: its own and its steps', and those of its set-up and tear-down (Cucumber hooks: Allure containers naming it). */
export function attachmentsOf(reports: string, uuid: string): Attachment[] {
  const dir = join(reports, 'allure-results');
  const result = JSON.parse(readFileSync(join(dir, `${uuid}-result.json`), 'utf8')) as Node;
  const containers = readdirSync(dir)
    .filter((f) => f.endsWith('-container.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { children: string[]; befores?: Node[]; afters?: Node[] })
    .filter((c) => c.children.includes(uuid));
  return [...walk(result), ...containers.flatMap((c) => [...(c.befores ?? []), ...(c.afters ?? [])].flatMap(walk))];
}

export function allureResults(reports: string): AllureResult[] {
  const dir = join(reports, 'allure-results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult);
}
