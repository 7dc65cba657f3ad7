/**
 * Steps where the harness itself plays the receiving side, or a third account, writing messages to
 * the sender from a phone's (or tablet's) Signal device, its credential app bypassed: signing
 * requests out of turn or with another key, answers that come early, late or from the wrong device.
 * They check the sending app, so their scenarios are `@sender-only`.
 *
 * The messages are well-formed; whether they fit the protocol depends on when and from where they
 * come, so a sending app may report them as violations (the reference app does, for S1, S5, S6 of
 * docs/protocol.md): only the invited phone's first signing request in a stateful share, or its
 * retry, is one no app may report.
 */
import { Given, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { isCredentialKind } from '../src/fakes/data.ts';
import { PROTOCOL_VERSION, encode, type KeySigningRequest, type TransferComplete } from '../src/protocol/messages.ts';
import { newKey, sendScripted } from './support/scripted.ts';
import type { SctWorld } from './support/world.ts';

/** The latest share of a kind, named in a step ("the car key"). */
function shareOf(world: SctWorld, kind: string) {
  if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
  return world.share(kind);
}

Given(/^(\w+)'s phone is played by the harness, bypassing (?:his|her|their) credential app$/, function (this: SctWorld, owner: string) {
  this.sim.bypassApp(this.sim.phone(owner));
});

When(
  /^(\w+'s \w+) asks (\w+)'s phone to sign (a|another) key for the (.+)$/,
  async function (this: SctWorld, device: string, owner: string, which: 'a' | 'another', kind: string) {
    const share = shareOf(this, kind);
    const from = this.sim.device(device);
    const asked = this.sim.protocolMessages(from, 'sent', share.transferId, 'KeySigningRequest');
    if (which === 'a' && asked.length) throw new Error(`${device} asked to sign a key for the ${kind} already: say "another key"`);
    if (which === 'another' || share.request.flow !== 'stateful' || from !== share.receiver) this.sim.expectViolations();
    const request: KeySigningRequest = {
      type: 'KeySigningRequest',
      version: PROTOCOL_VERSION,
      messageId: this.sim.data.uuid(),
      transferId: share.transferId,
      receiverPublicKey: newKey(this).publicKey,
    };
    await sendScripted(this, from, this.sim.phone(owner), encode(request));
  },
);

Given("{person}'s phone asks {person}'s phone to sign its key again", async function (this: SctWorld, from: string, to: string) {
  // The receiver's retry of its signing request: same key, new message id.
  const phone = this.sim.phone(from);
  const share = this.latestShareOf(phone);
  const [request] = this.sim.protocolMessages(phone, 'sent', share.transferId, 'KeySigningRequest');
  assert.ok(request, `${from}'s phone has not asked for a key to be signed yet`);
  await sendScripted(this, phone, this.sim.phone(to), encode({ ...request, messageId: this.sim.data.uuid() }));
});

/** "that it provisioned the car key", "that it declined the car key", "that it refused the car key as unsupported". */
When(
  /^(\w+'s \w+) answers (\w+)'s phone that it (provisioned|declined|refused) the (.+?)(?: as ([a-z-]+))?$/,
  async function (this: SctWorld, device: string, owner: string, answer: string, kind: string, reason: string | null) {
    const share = shareOf(this, kind);
    if ((answer === 'refused') !== Boolean(reason)) throw new Error('Say "refused the <credential> as <reason>", and give a reason only for a refusal');
    this.sim.expectViolations(); // early, late or from the wrong device: the app may report it
    const complete = {
      type: 'TransferComplete',
      version: PROTOCOL_VERSION,
      messageId: this.sim.data.uuid(),
      transferId: share.transferId,
      status: answer === 'refused' ? 'failed' : answer,
      ...(reason ? { reason } : {}),
    } as TransferComplete;
    await sendScripted(this, this.sim.device(device), this.sim.phone(owner), encode(complete));
  },
);
