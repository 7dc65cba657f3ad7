import { Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { CredentialKind } from '../src/fakes/data.ts';
import type { SctWorld } from './support/world.ts';

const HOUR = 3_600_000;

async function share(world: SctWorld, from: string, kind: CredentialKind, to: string, hours = 24) {
  const sender = world.sim.phone(from);
  const receiver = world.sim.phone(to);
  const request = world.sim.data.credential(kind, {
    recipient: receiver.device.number,
    expiresAt: world.sim.clock.now() + hours * HOUR,
  });
  const transferId = await world.sim.share(sender, request);
  world.shares.push({ transferId, kind, sender, receiver, request });
  await world.sim.settle();
}

When('{person} shares a(n) {credential} with {person}', async function (this: SctWorld, from, kind, to) {
  await share(this, from, kind, to);
});

When('{person} shares a(n) {credential} with {person} that expires in {int} hours', async function (this: SctWorld, from, kind, to, hours) {
  await share(this, from, kind, to, hours);
});

Then("{person}'s phone provisions the {credential} exactly once", function (this: SctWorld, owner: string, kind: CredentialKind) {
  const share = this.share(kind);
  const provisioned = this.sim.phone(owner).provisioned(share.transferId);
  assert.equal(provisioned.length, 1, `${owner}'s phone provisioned the ${kind} ${provisioned.length} times, expected exactly once`);
  const [credential] = provisioned;
  assert.equal(credential!.format, share.request.format, `${owner}'s phone provisioned the wrong format`);
  assert.equal(
    credential!.provisioningInformation,
    share.request.provisioningInformation,
    `${owner}'s phone provisioned different provisioning information than ${share.sender.owner} shared`,
  );
  assert.equal(credential!.from, share.sender.device.aci, `${owner}'s phone names the wrong sender`);
});

Then("{person}'s phone has provisioned nothing", function (this: SctWorld, owner: string) {
  const provisioned = this.sim.phone(owner).provisioned();
  assert.equal(provisioned.length, 0, `${owner}'s phone provisioned ${provisioned.length} credential(s), expected none`);
});

Then("{person}'s phone reports the share as {state}", function (this: SctWorld, owner: string, state: string) {
  const phone = this.sim.phone(owner);
  const share = this.shares.findLast((s) => s.sender === phone || s.receiver === phone);
  assert.ok(share, `${owner} took part in no share`);
  const reports = phone.transferReports(share.transferId);
  assert.equal(
    phone.stateOf(share.transferId),
    state,
    `${owner}'s phone reports the share as ${phone.stateOf(share.transferId) ?? 'nothing'}, expected ${state} ` +
      `(reports: ${reports.map((r) => r.state + (r.reason ? `/${r.reason}` : '')).join(' -> ') || 'none'})`,
  );
});

Then("{person}'s phone reports the share as failed because it {word}", function (this: SctWorld, owner: string, why: string) {
  const reason = ({ expired: 'expired' } as Record<string, string>)[why];
  assert.ok(reason, `Unknown failure "${why}" (known: expired)`);
  const phone = this.sim.phone(owner);
  const share = this.shares.findLast((s) => s.sender === phone || s.receiver === phone)!;
  const last = phone.transferReports(share.transferId).at(-1);
  assert.deepEqual(
    { state: last?.state, reason: last?.reason },
    { state: 'failed', reason },
    `${owner}'s phone last reported ${JSON.stringify(last ?? null)}`,
  );
});

Then("{person}'s phone refuses the {credential} as {word}", function (this: SctWorld, owner: string, kind: CredentialKind, reason: string) {
  const share = this.share(kind);
  const phone = this.sim.phone(owner);
  const last = phone.transferReports(share.transferId).at(-1);
  assert.deepEqual({ state: last?.state, reason: last?.reason }, { state: 'failed', reason }, `${owner}'s phone last reported ${JSON.stringify(last ?? null)}`);
  const answers = this.sim.sentMessages(phone, share.sender, 'TransferComplete').filter((m) => m.transferId === share.transferId);
  assert.ok(
    answers.some((m) => m.status === 'failed' && m.reason === reason),
    `${owner}'s phone did not tell ${share.sender.owner} the share failed as ${reason} (answers: ${JSON.stringify(answers.map((a) => ({ status: a.status, reason: a.reason })))})`,
  );
});
