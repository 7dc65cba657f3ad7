import { Given, Then } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { CredentialKind } from '../src/fakes/data.ts';
import type { SctWorld } from './support/world.ts';

Given("the server will lose the next acknowledgement from {person}'s phone", function (this: SctWorld, owner: string) {
  const { device } = this.sim.phone(owner);
  this.sim.faults.loseAcks({ aci: device.aci, deviceId: device.deviceId }, 1);
});

Then("the server delivered the invitation to {person}'s phone {int} times", function (this: SctWorld, owner: string, times: number) {
  const counts = this.sim.deliveryCounts(this.sim.phone(owner), 'ShareInvitation');
  assert.deepEqual(counts, [times], `the server delivered invitations to ${owner}'s phone ${JSON.stringify(counts)} times`);
});

Then("{person}'s phone receives the invitation {int} times", function (this: SctWorld, owner: string, times: number) {
  const received = this.sim.receivedMessages(this.sim.phone(owner), 'ShareInvitation').length;
  assert.equal(received, times, `${owner}'s phone received the invitation ${received} times`);
});

Then('the server never saw the {credential} in the clear', function (this: SctWorld, kind: CredentialKind) {
  const share = this.share(kind);
  const leaks = this.sim.plaintextLeaks();
  assert.ok(!leaks.includes(share.request.provisioningInformation), `the server saw the ${kind} in the clear`);
  assert.ok(this.sim.plaintext.observed > 0, 'the server saw no traffic at all, so nothing was proven');
});
