/** A replay line names the run's transport when it is not the default, so a replay runs over the same one. */
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../src/run/replay.ts';

const target = { seed: 42, role: 'sender' as const, name: 'A share', uri: 'features/transport/retries.feature', line: 29 };

describe('replay lines', () => {
  it('carry --transport msw from an msw run, and nothing for the default transport', () => {
    expect(replayCommand({ ...target, transport: 'msw' })).toMatch(/ --role sender --transport msw --name /);
    expect(replayCommand({ ...target, transport: 'direct' })).not.toMatch(/--transport/);
    expect(replayCommand(target)).not.toMatch(/--transport/);
  });
});
