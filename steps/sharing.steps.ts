import { Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { isCredentialKind, type CredentialKind } from '../src/fakes/data.ts';
import { fingerprint, verifyKeyImport } from '../src/protocol/signing.ts';
import type { SctWorld } from './support/world.ts';

const HOUR = 3_600_000;

When(
  /^(\w+) shares an? (.+?) with (\w+)( in the stateful flow)?(?:,? (?:that )?expir(?:es|ing) in (\d+) hours)?$/,
  async function (this: SctWorld, from: string, kind: string, to: string, stateful: string | undefined, hours: string | undefined) {
    if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
    const sender = this.sim.phone(from);
    const receiver = this.strangers.has(to) ? undefined : this.sim.phone(to);
    const request = this.sim.data.credential(kind, {
      recipient: this.numberOf(to),
      flow: stateful ? 'stateful' : 'stateless',
      expiresAt: this.sim.clock.now() + Number(hours ?? 24) * HOUR,
    });
    const transferId = await this.sim.share(sender, request);
    this.shares.push({ transferId, kind, sender, receiver, recipientName: to, request });
    await this.sim.settle();
  },
);

When('{person} cancels the share', async function (this: SctWorld, owner: string) {
  const phone = this.sim.phone(owner);
  const share = this.shares.findLast((s) => s.sender === phone);
  assert.ok(share, `${owner} shared nothing to cancel`);
  await this.sim.cancel(phone, share.transferId);
  await this.sim.settle();
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

Then(
  "the {credential} on {person}'s phone is bound to the key it generated, signed by {person}'s phone",
  function (this: SctWorld, kind: CredentialKind, owner: string, signer: string) {
    const share = this.share(kind);
    const phone = this.sim.phone(owner);
    const [invitation] = this.sim.protocolMessages(phone, 'received', share.transferId, 'ShareInvitation');
    const [request] = this.sim.protocolMessages(phone, 'sent', share.transferId, 'KeySigningRequest');
    const packages = this.sim.protocolMessages(phone, 'received', share.transferId, 'KeyImportRequest');
    assert.ok(invitation && request, `${owner}'s phone never asked for its key to be signed`);
    const [credential] = phone.provisioned(share.transferId);
    assert.ok(credential?.boundKey, `${owner}'s phone reported no key the ${kind} is bound to`);
    assert.equal(
      fingerprint(credential.boundKey),
      fingerprint(request.receiverPublicKey),
      `the ${kind} is bound to a key ${owner}'s phone did not ask to have signed`,
    );
    const signed = packages.find(
      (p) =>
        p.receiverPublicKey === request.receiverPublicKey &&
        verifyKeyImport(invitation.senderPublicKey!, share.transferId, p.receiverPublicKey, p.credentialData, p.signature),
    );
    assert.ok(signed, `no final package ${owner}'s phone received carries ${signer}'s valid signature over its key`);
    assert.equal(this.sim.phone(signer).device.aci, share.sender.device.aci, `${signer} is not the one who shared the ${kind}`);
  },
);

Then(/^(\w+)'s phone sent (one|no) final packages? for the (.+)$/, function (this: SctWorld, owner: string, count: string, kind: string) {
  if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
  const share = this.share(kind);
  const packages = this.sim.protocolMessages(this.sim.phone(owner), 'sent', share.transferId, 'KeyImportRequest');
  const distinct = new Set(packages.map((p) => p.messageId)).size;
  assert.equal(distinct, count === 'one' ? 1 : 0, `${owner}'s phone sent ${distinct} different final package(s) (${packages.length} message(s))`);
});

Then("{person}'s phone has provisioned no {credential}", function (this: SctWorld, owner: string, kind: CredentialKind) {
  const provisioned = this.sim.phone(owner).provisioned(this.share(kind).transferId);
  assert.equal(provisioned.length, 0, `${owner}'s phone provisioned the ${kind} ${provisioned.length} time(s)`);
});

Then("{person}'s phone has provisioned nothing", function (this: SctWorld, owner: string) {
  const provisioned = this.sim.phone(owner).provisioned();
  assert.equal(provisioned.length, 0, `${owner}'s phone provisioned ${provisioned.length} credential(s), expected none`);
});

Then("{person}'s phone reports the share as {state}", function (this: SctWorld, owner: string, state: string) {
  const phone = this.sim.phone(owner);
  const share = this.latestShareOf(phone);
  const reports = phone.transferReports(share.transferId);
  assert.equal(
    phone.stateOf(share.transferId),
    state,
    `${owner}'s phone reports the share as ${phone.stateOf(share.transferId) ?? 'nothing'}, expected ${state} ` +
      `(reports: ${reports.map((r) => r.state + (r.reason ? `/${r.reason}` : '')).join(' -> ') || 'none'})`,
  );
});

/** "because it expired", "because Bob is not on Signal": the reason words a failed report must carry. */
const FAILED_BECAUSE: Array<[RegExp, string]> = [
  [/^it expired$/, 'expired'],
  [/^it could not be sent$/, 'send-failed'],
  [/^\w+ is not on Signal$/, 'not-on-signal'],
  [/^(?:her|his|their) Signal account is not registered$/, 'sender-not-registered'],
];

Then(/^(\w+)'s phone reports the share as failed because (.+)$/, function (this: SctWorld, owner: string, why: string) {
  const reason = FAILED_BECAUSE.find(([pattern]) => pattern.test(why))?.[1];
  assert.ok(reason, `Unknown reason "${why}"; say: it expired, it could not be sent, Bob is not on Signal, her Signal account is not registered`);
  const phone = this.sim.phone(owner);
  const last = phone.transferReports(this.latestShareOf(phone).transferId).at(-1);
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
