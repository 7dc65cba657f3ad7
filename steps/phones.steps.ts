import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { supportedFlows } from '../src/adapter/load.ts';
import type { SctWorld } from './support/world.ts';

/** Sets up phones in order: the first person set up is the sender's side, the second the receiver's. */
async function setUp(world: SctWorld, people: string[]) {
  for (const owner of people) {
    const phone = await world.sim.addPhone(owner);
    world.phonesSetUpOrder.push(owner);
    const { adapter, label } = world.appFor(world.phonesSetUpOrder.length - 1);
    const app = await world.sim.installApp(phone, adapter, label);
    if (world.tags.includes('@stateful') && !supportedFlows(app).includes('stateful')) {
      // One wording for every phone: the run's summary counts skipped scenarios by their reason.
      world.log(`skipped: ${label} does not support the stateful flow (its capabilities.flows), which the scenario needs`);
      return 'skipped';
    }
  }
  await world.sim.settle();
  return undefined;
}

Given('{people} have phones with the credential app, on Signal', function (this: SctWorld, people: string[]) {
  return setUp(this, people);
});

Given('{person} has a phone with the credential app, on Signal', function (this: SctWorld, owner: string) {
  return setUp(this, [owner]);
});

Given('{person} is not on Signal', function (this: SctWorld, name: string) {
  this.strangers.set(name, this.sim.data.phoneNumber());
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

Then('nothing was sent', function (this: SctWorld) {
  const queued = this.sim.trace.find('server.queued');
  assert.equal(queued.length, 0, `the server accepted ${queued.length} message(s)`);
});
