/** `npm run docs`: regenerates the generated parts of docs/ (protocol field tables, requirements, invariants). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateFieldTables } from './protocol/doc.ts';
import { coverage, readScenarios } from './coverage.ts';
import { requirementsMarkdown } from './requirements-doc.ts';
import { invariantsMarkdown } from './monitor/doc.ts';
import { adapterProtocolJson } from './adapter/rpc/schema.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const protocol = resolve(ROOT, 'docs/protocol.md');
writeFileSync(protocol, updateFieldTables(readFileSync(protocol, 'utf8')));
writeFileSync(resolve(ROOT, 'docs/requirements.md'), requirementsMarkdown(coverage(readScenarios(resolve(ROOT, 'features'), ROOT))));
writeFileSync(resolve(ROOT, 'docs/invariants.md'), invariantsMarkdown());
writeFileSync(resolve(ROOT, 'docs/adapter-protocol.schema.json'), adapterProtocolJson());
console.log('updated docs/protocol.md, docs/requirements.md, docs/invariants.md and docs/adapter-protocol.schema.json');
