import { Given, When } from '@cucumber/cucumber';
import type { SctWorld } from './support/world.ts';

Given('{people} have phones with the credential app, on Signal', async function (this: SctWorld, people: string[]) {
  for (const owner of people) {
    const phone = await this.sim.addPhone(owner);
    await this.sim.installApp(phone, this.adapter);
  }
  await this.sim.settle();
});

Given("{person}'s phone is offline", async function (this: SctWorld, owner: string) {
  this.sim.phone(owner).device.goOffline();
  await this.sim.settle();
});

When("{person}'s phone comes back online", async function (this: SctWorld, owner: string) {
  this.sim.phone(owner).device.goOnline();
  await this.sim.settle();
});

When("{person}'s phone reconnects", async function (this: SctWorld, owner: string) {
  const { device } = this.sim.phone(owner);
  device.goOffline();
  device.goOnline();
  await this.sim.settle();
});
