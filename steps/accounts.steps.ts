/** Accounts, identities and devices changing under a transfer. */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import * as evidence from '../src/evidence/index.ts';
import { isCredentialKind } from '../src/fakes/data.ts';
import type { SctWorld } from './support/world.ts';

Given(/^(\w+)'s Signal account is deleted$/, function (this: SctWorld, owner: string) {
  this.sim.unregister(owner);
});

When(/^(\w+) deletes (?:his|her|their) Signal account$/, async function (this: SctWorld, owner: string) {
  this.sim.unregister(owner);
  await this.sim.settle();
});

When(/^(\w+) registers on Signal again$/, async function (this: SctWorld, owner: string) {
  await this.sim.registerAgain(owner);
  await this.sim.settle();
});

When(/^(\w+) reinstalls Signal on (?:his|her|their) phone$/, async function (this: SctWorld, owner: string) {
  await this.sim.reregister(owner);
  await this.sim.settle();
});

When(/^(\w+) confirms (\w+)'s new safety number$/, async function (this: SctWorld, owner: string, peer: string) {
  const { device } = this.sim.phone(owner);
  const aci = this.sim.phone(peer).device.aci;
  // Signal shows a new safety number only once the phone met it, by sending to or hearing from the peer.
  assert.equal(
    device.identityStatus(aci),
    'changed-unconfirmed',
    `${owner}'s phone has no new safety number of ${peer} to confirm: its app sent ${peer} nothing since ${peer}'s identity changed`,
  );
  device.confirmIdentity(aci);
  await this.sim.settle();
});

When(/^(\w+) links an? (\w+) to (?:his|her|their) Signal account$/, async function (this: SctWorld, owner: string, kind: string) {
  await this.sim.linkDevice(owner, kind);
  await this.sim.settle();
});

Given(/^(\w+) also has an? (\w+) (with the credential app, )?on Signal$/, async function (this: SctWorld, owner: string, kind: string, withApp: string | undefined) {
  const device = await this.sim.linkDevice(owner, kind);
  if (withApp) {
    // The same app as the owner's phone: both are the receiving side (or both the sending side).
    const { adapter, label } = this.appFor(this.phonesSetUpOrder.indexOf(owner));
    await this.sim.installApp(device, adapter, label);
  }
  await this.sim.settle();
});

When(/^(\w+) unlinks (?:his|her|their) (\w+) from (?:his|her|their) Signal account$/, async function (this: SctWorld, owner: string, kind: string) {
  this.sim.unlinkDevice(`${owner}'s ${kind}`);
  await this.sim.settle();
});

When(/^(\w+)'s (\w+) registers again$/, async function (this: SctWorld, owner: string, kind: string) {
  await this.sim.reregisterDevice(`${owner}'s ${kind}`);
  await this.sim.settle();
});

Then('nothing is queued for {person}', function (this: SctWorld, owner: string) {
  const { device } = this.sim.phone(owner);
  assert.equal(this.sim.server.queued(device.aci, device.deviceId), 0, `messages wait on the server for ${owner}`);
});

Then(/^the server told (\w+)'s phone (?:that (\w+)'s devices had changed|that one of (\w+)'s devices had registered again)$/, function (this: SctWorld, owner: string, listed: string | undefined, reregistered: string | undefined) {
  const kind = listed ? 'server.mismatched-devices' : 'server.stale-devices';
  const peer = this.sim.phone((listed ?? reregistered)!).device.aci;
  assert.ok(this.sim.trace.find(kind, (e) => e.destination === peer).length > 0, `the server never answered ${owner}'s phone with ${listed ? '409' : '410'}`);
});

Then(/^exactly one of (\w+)'s devices provisions the (.+)$/, function (this: SctWorld, owner: string, kind: string) {
  if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
  evidence.exactlyOneDeviceProvisions(this.sim, this.sim.devicesOf(owner), this.share(kind));
});

Then(/^(\w+)'s other device reports the share as failed because it was taken$/, function (this: SctWorld, owner: string) {
  const devices = this.sim.devicesOf(owner);
  const share = this.latestShareOf(this.sim.phone(owner));
  const others = devices.filter((d) => d.provisioned(share.transferId).length === 0);
  assert.equal(others.length, devices.length - 1, `${owner}'s devices: ${devices.map((d) => d.name).join(', ')}`);
  for (const other of others) evidence.reportedFailure(this.sim, other, share, 'taken');
});
