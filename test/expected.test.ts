/** Expected-failures lists (src/run/expected.ts): what an entry matches, and what a list must look like. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExpectedMatcher, readExpectedFailures } from '../src/run/expected.ts';
import type { PlannedScenario } from '../src/run/plan.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// reordering.feature:29 is tagged @req=R-ORDER-1 @req=R-CANCEL-1, :9 @req=R-ORDER-1 @req=R-ONCE-1.
const overtaken: PlannedScenario = { role: 'receiver', name: 'A cancel that overtakes its invitation: nothing is provisioned', uri: 'features/transport/reordering.feature', line: 29 };
const twoShares: PlannedScenario = { role: 'sender', name: 'Two shares delivered in reverse order are each provisioned once', uri: 'features/transport/reordering.feature', line: 9 };

describe('expected failures', () => {
  it('an entry matches a scenario by name (any pass, or the pass it names) or by a requirement it is tagged with', () => {
    const list = (entries: object[]) => new ExpectedMatcher({ file: 'x.json', entries: entries as never }, ROOT, [overtaken, twoShares]);
    expect(list([{ requirement: 'R-CANCEL-1', reason: 'r' }]).entryFor(overtaken)?.reason).toBe('r');
    expect(list([{ requirement: 'R-CANCEL-1', reason: 'r' }]).entryFor(twoShares)).toBeUndefined();
    expect(list([{ scenario: overtaken.name, reason: 'r' }]).entryFor(overtaken)).toBeDefined();
    expect(list([{ scenario: `[receiver] ${overtaken.name}`, reason: 'r' }]).entryFor(overtaken)).toBeDefined();
    expect(list([{ scenario: `[sender] ${overtaken.name}`, reason: 'r' }]).entryFor(overtaken)).toBeUndefined();
  });

  it('a list that does not fit names every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sct-expected-'));
    try {
      const file = join(dir, 'app.expected-failures.json');
      writeFileSync(file, JSON.stringify({ expectedFailures: [{ scenario: 'x' }, { scenario: 'y', requirement: 'R-ONCE-1', reason: 'both' }, { requirement: 'once', reason: 'r' }] }));
      expect(() => readExpectedFailures(file)).toThrow(/do not fit the format[\s\S]*expectedFailures\.0\.reason[\s\S]*give either "scenario" or "requirement"[\s\S]*a requirement id such as R-ONCE-1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
