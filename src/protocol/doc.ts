/**
 * Generates the field tables of docs/protocol.md from the zod schemas, so the document cannot
 * drift from what the code accepts. `npm run docs` rewrites each table between its
 * `<!-- fields:MessageType -->` and `<!-- /fields -->` markers; a unit test fails when a table
 * is out of date.
 */
import { z } from 'zod';
import { MESSAGE_SCHEMAS } from './messages.ts';

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (s.type === 'integer') return 'integer';
  if (s.type === 'object') return 'object';
  if (s.format === 'date-time') return 'RFC 3339 date-time with offset';
  if (s.format === 'uri') return 'URL';
  if (s.pattern?.includes('[0-9a-f]{8}-')) return 'UUID';
  const bounds = s.maxLength !== undefined ? `, ${s.minLength ?? 0}-${s.maxLength} chars` : '';
  if (s.pattern?.startsWith('^[A-Za-z0-9+/]')) return `base64${bounds}`;
  return `string${bounds}`;
}

function rows(schema: JsonSchema, prefix = ''): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    const row = `| \`${path}\` | ${typeOf(field)} | ${required.has(name) ? 'yes' : 'no'} | ${(field.description ?? '').replace(/\|/g, '\\|')} |`;
    return field.type === 'object' && field.properties ? [row, ...rows(field, `${path}.`)] : [row];
  });
}

/** The markdown field table of one message type. */
export function fieldTable(type: keyof typeof MESSAGE_SCHEMAS): string {
  const schema = z.toJSONSchema(MESSAGE_SCHEMAS[type], { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return ['| field | type | required | meaning |', '|---|---|---|---|', ...rows(schema)].join('\n');
}

/** `markdown` with every generated table replaced by its current version. */
export function updateFieldTables(markdown: string): string {
  return markdown.replace(
    /<!-- fields:(\w+) -->\n[\s\S]*?<!-- \/fields -->/g,
    (_all, type: string) => {
      if (!(type in MESSAGE_SCHEMAS)) throw new Error(`docs/protocol.md names an unknown message type in <!-- fields:${type} -->`);
      return `<!-- fields:${type} -->\n${fieldTable(type as keyof typeof MESSAGE_SCHEMAS)}\n<!-- /fields -->`;
    },
  );
}
