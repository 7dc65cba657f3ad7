import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { updateFieldTables } from '../src/protocol/doc.ts';
import { coverage, readScenarios } from '../src/coverage.ts';
import { requirementsMarkdown } from '../src/requirements-doc.ts';
import { invariantsMarkdown } from '../src/monitor/doc.ts';
import { REQUIREMENTS } from '../src/requirements.ts';
import { MESSAGE_SCHEMAS } from '../src/protocol/messages.ts';
import { adapterProtocolJson } from '../src/adapter/rpc/schema.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}/${path}`, 'utf8');

describe('generated documentation is current (run `npm run docs` when this fails)', () => {
  it("docs/protocol.md's field tables match the schemas", () => {
    const doc = read('docs/protocol.md');
    expect(updateFieldTables(doc)).toBe(doc);
    for (const type of Object.keys(MESSAGE_SCHEMAS)) expect(doc).toContain(`<!-- fields:${type} -->`);
  });

  it('docs/invariants.md matches the monitor\'s invariants', () => {
    expect(invariantsMarkdown()).toBe(read('docs/invariants.md'));
  });

  it('docs/adapter-protocol.schema.json matches the adapter protocol\'s schemas', () => {
    expect(adapterProtocolJson()).toBe(read('docs/adapter-protocol.schema.json'));
  });

  it('docs/requirements.md matches the catalog and the features', () => {
    expect(requirementsMarkdown(coverage(readScenarios(`${ROOT}/features`, ROOT)))).toBe(read('docs/requirements.md'));
  });
});

describe('requirement coverage', () => {
  it('every shipped scenario names a known requirement, and every MUST is checked', () => {
    expect(coverage(readScenarios(`${ROOT}/features`, ROOT)).problems).toEqual([]);
  });

  it('names a scenario without a tag, an unknown requirement and an unchecked MUST', () => {
    const catalog = REQUIREMENTS.filter((r) => ['R-ONCE-1', 'R-EXPIRY-1'].includes(r.id));
    const { problems } = coverage(
      [
        { name: 'untagged', uri: 'a.feature', requirements: [] },
        { name: 'typo', uri: 'b.feature', requirements: ['R-ONCE-1', 'R-0NCE-2'] },
      ],
      catalog,
    );
    expect(problems).toEqual([
      'scenario "untagged" (a.feature) has no @req tag',
      'scenario "typo" (b.feature) names unknown requirement R-0NCE-2',
      'MUST requirement R-EXPIRY-1 is checked by no scenario',
    ]);
  });

  it('gives every requirement a level, a text and a quoted source', () => {
    for (const r of REQUIREMENTS) {
      expect(r.id).toMatch(/^R-[A-Z]+-\d+$/);
      expect(r.text.length).toBeGreaterThan(20);
      expect(r.sources.length).toBeGreaterThan(0);
      for (const s of r.sources) expect(s.quote.length).toBeGreaterThan(20);
    }
    expect(new Set(REQUIREMENTS.map((r) => r.id)).size).toBe(REQUIREMENTS.length);
  });
});
