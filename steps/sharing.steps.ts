import { Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { FailureReason } from '../src/adapter/contract.ts';
import * as evidence from '../src/evidence/index.ts';
import { isCredentialKind, type CredentialKind } from '../src/fakes/data.ts';
import { keyImportRequest, shareInvitation } from '../src/protocol/messages.ts';
import { fingerprint, verifyKeyImport } from '../src/protocol/signing.ts';
import type { SctWorld } from './support/world.ts';

const HOUR = 3_600_000;

// "the largest car key the protocol allows": its provisioning information (stateless) or credential data (stateful) as long as the schema allows.
When(
  /^(\w+) shares (?:an? |(the largest ))(.+?)(?: the protocol allows)? with (\w+)(?: in the (stateful|stateless) flow)?(?:,? (?:that )?expir(?:es|ing) in (\d+) hours)?$/,
  async function (this: SctWorld, from: string, largest: string | null, kind: string, to: string, flow: string | null, hours: string | null) {
    const stateful = flow === 'stateful';
    if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
    const sender = this.sim.phone(from);
    const receiver = this.strangers.has(to) ? undefined : this.sim.phone(to);
    const request = this.sim.data.credential(kind, {
      recipient: this.numberOf(to),
      flow: stateful ? 'stateful' : 'stateless',
      expiresAt: this.sim.clock.now() + Number(hours ?? 24) * HOUR,
    });
    if (largest) {
      const { maxLength } = stateful ? keyImportRequest.shape.credentialData : shareInvitation.shape.provisioningInformation;
      request.provisioningInformation = this.sim.data.opaque(maxLength!);
    }
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
  evidence.provisionedExactlyOnce(this.sim, this.sim.phone(owner), this.share(kind));
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

// S4: a repeated signing request is answered with the very package sent before (same message, same message id).
Then("{person}'s phone sent the same final package for the {credential} again", function (this: SctWorld, owner: string, kind: CredentialKind) {
  const packages = this.sim.protocolMessages(this.sim.phone(owner), 'sent', this.share(kind).transferId, 'KeyImportRequest');
  const distinct = new Set(packages.map((p) => JSON.stringify(p))).size;
  assert.ok(
    packages.length >= 2 && distinct === 1,
    `${owner}'s phone sent ${packages.length} final package(s) for the ${kind}, ${distinct} different one(s): expected the same one at least twice`,
  );
});

Then("{person}'s phone has provisioned no {credential}", function (this: SctWorld, owner: string, kind: CredentialKind) {
  evidence.provisionedNone(this.sim, this.sim.phone(owner), this.share(kind));
});

Then("{person}'s phone has provisioned nothing", function (this: SctWorld, owner: string) {
  evidence.provisionedNothing(this.sim, this.sim.phone(owner));
});

Then("{person}'s phone reports the share as {state}", function (this: SctWorld, owner: string, state: string) {
  const phone = this.sim.phone(owner);
  evidence.reportedState(this.sim, phone, this.latestShareOf(phone), state);
});

Then("{person}'s phone never reported the share as {state}", function (this: SctWorld, owner: string, state: string) {
  const phone = this.sim.phone(owner);
  evidence.neverReportedState(phone, this.latestShareOf(phone), state);
});

/** "because it expired", "because Bob is not on Signal": the reason words a failed report must carry. */
const FAILED_BECAUSE: Array<[RegExp, FailureReason]> = [
  [/^it expired$/, 'expired'],
  [/^it could not be sent$/, 'send-failed'],
  [/^\w+ is not on Signal$/, 'not-on-signal'],
  [/^(?:her|his|their) Signal account is not registered$/, 'sender-not-registered'],
];

Then(/^(\w+)'s phone reports the share as failed because (.+)$/, function (this: SctWorld, owner: string, why: string) {
  const reason = FAILED_BECAUSE.find(([pattern]) => pattern.test(why))?.[1];
  assert.ok(reason, `Unknown reason "${why}"; say: it expired, it could not be sent, Bob is not on Signal, her Signal account is not registered`);
  const phone = this.sim.phone(owner);
  evidence.reportedFailure(this.sim, phone, this.latestShareOf(phone), reason);
});

Then("{person}'s phone refuses the {credential} as {word}", function (this: SctWorld, owner: string, kind: CredentialKind, reason: string) {
  // A refusal is a receiver's failure: reported, and answered to the sender with that reason.
  evidence.reportedFailure(this.sim, this.sim.phone(owner), this.share(kind), reason as FailureReason);
});

Then("the server holds {person}'s invitation for {person}'s phone", function (this: SctWorld, from: string, to: string) {
  const sender = this.sim.phone(from);
  const receiver = this.sim.phone(to);
  const share = this.shares.findLast((s) => s.sender === sender && s.receiver === receiver);
  assert.ok(share, `${from} shared nothing with ${to}`);
  evidence.serverHoldsInvitation(this.sim, share, receiver);
});
