/** `npm run docs`: regenerates the generated parts of docs/ (protocol field tables, requirements). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateFieldTables } from './protocol/doc.ts';
import { coverage, readScenarios } from './coverage.ts';
import { requirementsMarkdown } from './requirements-doc.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const protocol = resolve(ROOT, 'docs/protocol.md');
writeFileSync(protocol, updateFieldTables(readFileSync(protocol, 'utf8')));
writeFileSync(resolve(ROOT, 'docs/requirements.md'), requirementsMarkdown(coverage(readScenarios(resolve(ROOT, 'features'), ROOT))));
console.log('updated docs/protocol.md and docs/requirements.md');
