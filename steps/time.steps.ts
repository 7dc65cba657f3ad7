import { When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { SctWorld } from './support/world.ts';

const UNIT_MS = { millisecond: 1, second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

When(/^(\d+) (minute|hour|day)s? pass(?:es)?$/, async function (this: SctWorld, count: string, unit: keyof typeof UNIT_MS) {
  await this.sim.advance(Number(count) * UNIT_MS[unit]);
});

/** "time runs until 1 millisecond before the car key expires", "... until the instant the car key expires". */
When(
  /^time runs until (?:(\d+) (millisecond|second|minute|hour)s? (before|after)|the instant) the (.+) expires$/,
  async function (this: SctWorld, count: string | undefined, unit: keyof typeof UNIT_MS | undefined, side: string | undefined, kind: string) {
    const share = this.shares.findLast((s) => s.kind === kind);
    assert.ok(share, `No ${kind} has been shared in this scenario yet`);
    const offset = count ? Number(count) * UNIT_MS[unit!] * (side === 'before' ? -1 : 1) : 0;
    const wait = share.request.expiresAt + offset - this.sim.clock.now();
    assert.ok(wait >= 0, `that moment has passed already (${-wait} ms ago)`);
    await this.sim.advance(wait);
  },
);
