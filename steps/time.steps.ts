import { When } from '@cucumber/cucumber';
import type { SctWorld } from './support/world.ts';

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

When(/^(\d+) (minute|hour|day)s? pass(?:es)?$/, async function (this: SctWorld, count: string, unit: keyof typeof UNIT_MS) {
  await this.sim.advance(Number(count) * UNIT_MS[unit]);
});
