/**
 * Steps where the harness itself plays the sender, sending crafted messages from the sender's
 * Signal device (its credential app is bypassed): duplicates, extra fields, defects, forged or
 * misbound final packages. They check the receiving app, so their scenarios are `@receiver-only`
 * (steps/scripted-receiver.steps.ts plays the other side).
 */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { isCredentialKind, type CredentialKind } from '../src/fakes/data.ts';
import { buildInvitation, toBytes, withField, type RawMessage } from '../src/fakes/invitations.ts';
import { PROTOCOL_VERSION, decode, encode, type KeyImportRequest } from '../src/protocol/messages.ts';
import { signKeyImport, type KeyPair } from '../src/protocol/signing.ts';
import { newKey, sendScripted as sendFrom } from './support/scripted.ts';
import type { SctWorld } from './support/world.ts';

const DAY = 86_400_000;

/** The harness's credential keys for its scripted stateful shares, by transfer id. */
const credentialKeys = new WeakMap<SctWorld, Map<string, KeyPair>>();

/** Builds a well-formed invitation from `from` to `to`, remembered as a share. */
function scriptedInvitation(world: SctWorld, from: string, to: string, kind: CredentialKind, stateful = false): RawMessage {
  const sender = world.sim.phone(from);
  const receiver = world.sim.phone(to);
  const flow = stateful ? 'stateful' : 'stateless';
  const request = world.sim.data.credential(kind, { recipient: receiver.device.number, flow, expiresAt: world.sim.clock.now() + DAY });
  const transferId = world.sim.data.uuid();
  world.shares.push({ transferId, kind, sender, receiver, recipientName: to, request });
  const invitation = buildInvitation(request, { transferId, messageId: world.sim.data.uuid() });
  if (!stateful) return invitation;
  const key = newKey(world);
  if (!credentialKeys.has(world)) credentialKeys.set(world, new Map());
  credentialKeys.get(world)!.set(transferId, key);
  return { ...invitation, senderPublicKey: key.publicKey };
}

/** Sends bytes from `from`'s Signal device, bypassing its app; the share's credential is watched for on the server. */
function sendScripted(world: SctWorld, from: string, to: string, bytes: Uint8Array, kind: CredentialKind) {
  return sendFrom(world, world.sim.phone(from), world.sim.phone(to), bytes, world.share(kind).request.provisioningInformation);
}

When("{person}'s phone sends {person} the same {credential} invitation twice", async function (this: SctWorld, from, to, kind) {
  const invitation = toBytes(scriptedInvitation(this, from, to, kind));
  await sendScripted(this, from, to, invitation, kind);
  await sendScripted(this, from, to, invitation, kind);
});

When("{person}'s phone sends {person} the {credential} invitation again with a new message id", async function (this: SctWorld, from, to, kind) {
  const invitation = scriptedInvitation(this, from, to, kind);
  await sendScripted(this, from, to, toBytes(invitation), kind);
  await sendScripted(this, from, to, toBytes(withField(invitation, 'messageId', this.sim.data.uuid())), kind);
});

When("{person}'s phone sends {person} a {credential} invitation with extra fields:", async function (this: SctWorld, from, to, kind, table: DataTable) {
  let invitation = scriptedInvitation(this, from, to, kind);
  for (const { field, value } of table.hashes()) {
    assert.ok(field && value !== undefined, 'the table needs the columns "field" and "value"');
    invitation = withField(invitation, field, JSON.parse(value));
  }
  await sendScripted(this, from, to, toBytes(invitation), kind);
});

When("{person}'s phone sends {person} a {credential} invitation, after a malformed cancel for it", async function (this: SctWorld, from, to, kind) {
  // Only a malformed invitation is answered `malformed`; any other malformed message is ignored
  // (docs/protocol.md), and must not stand in for the invitation that follows it.
  this.sim.expectViolations(); // the reference app, as receiver, rightly reports the malformed cancel
  const invitation = scriptedInvitation(this, from, to, kind);
  const cancel = { type: 'ShareCancel', messageId: this.sim.data.uuid(), transferId: invitation.transferId } as RawMessage; // no version
  await sendScripted(this, from, to, toBytes(cancel), kind);
  await sendScripted(this, from, to, toBytes(invitation), kind);
});

When("{person}'s phone sends {person} a {credential} invitation in the stateful flow", async function (this: SctWorld, from, to, kind) {
  await sendScripted(this, from, to, toBytes(scriptedInvitation(this, from, to, kind, true)), kind);
});

When("{person}'s phone sends {person} a {credential} invitation {defect}", async function (this: SctWorld, from, to, kind, defect: (m: RawMessage) => RawMessage) {
  this.sim.expectViolations(); // the reference app, as receiver, rightly reports the defect
  await sendScripted(this, from, to, toBytes(defect(scriptedInvitation(this, from, to, kind))), kind);
});

/** The final package the harness sends for the latest scripted stateful share. */
const PACKAGES = {
  'a correct package': { signKey: 'sender', signedKey: 'receiver' },
  'a package signed over another key': { signKey: 'sender', signedKey: 'another' },
  'a package signed by another key': { signKey: 'another', signedKey: 'receiver' },
} as const;

When(
  /^(\w+)'s phone answers (\w+)'s signing request with (a correct package|a package signed over another key|a package signed by another key)$/,
  async function (this: SctWorld, from: string, to: string, which: keyof typeof PACKAGES) {
    const sender = this.sim.phone(from);
    const share = this.shares.findLast((s) => s.sender === sender && credentialKeys.get(this)?.has(s.transferId));
    assert.ok(share, `${from}'s phone has sent no stateful invitation of its own`);
    const [request] = this.sim.protocolMessages(sender, 'received', share.transferId, 'KeySigningRequest');
    assert.ok(request, `${to}'s phone has not asked ${from}'s phone to sign a key`);
    const { signKey, signedKey } = PACKAGES[which];
    if (which !== 'a correct package') this.sim.expectViolations();
    const key = signKey === 'sender' ? credentialKeys.get(this)!.get(share.transferId)! : newKey(this);
    const receiverPublicKey = signedKey === 'receiver' ? request.receiverPublicKey : newKey(this).publicKey;
    const credentialData = share.request.provisioningInformation;
    const finalPackage: KeyImportRequest = {
      type: 'KeyImportRequest',
      version: PROTOCOL_VERSION,
      messageId: this.sim.data.uuid(),
      transferId: share.transferId,
      receiverPublicKey,
      receiverDeviceId: this.sim.phone(to).device.deviceId,
      signature: signKeyImport(key.privateKey, share.transferId, receiverPublicKey, credentialData),
      credentialData,
    };
    await sendScripted(this, from, to, encode(finalPackage), share.kind);
  },
);

When("{person}'s phone sends {person} a final package for the {credential}", async function (this: SctWorld, from, to, kind) {
  // A third account forging the final package for a real transfer, signing with its own key.
  const share = this.share(kind);
  const receiver = this.sim.phone(to);
  const [request] = this.sim.protocolMessages(receiver, 'sent', share.transferId, 'KeySigningRequest');
  assert.ok(request, `${to}'s phone has not asked for a key to be signed`);
  const key = newKey(this);
  const forged: KeyImportRequest = {
    type: 'KeyImportRequest',
    version: PROTOCOL_VERSION,
    messageId: this.sim.data.uuid(),
    transferId: share.transferId,
    receiverPublicKey: request.receiverPublicKey,
    receiverDeviceId: receiver.device.deviceId,
    signature: signKeyImport(key.privateKey, share.transferId, request.receiverPublicKey, 'forged'),
    credentialData: 'forged',
  };
  await sendScripted(this, from, to, encode(forged), kind);
});

When("{person}'s phone sends {person} a cancel for the {credential}", async function (this: SctWorld, from: string, to: string, kind: CredentialKind) {
  // A third account trying to stop a real transfer.
  const share = this.share(kind);
  const cancel = { type: 'ShareCancel' as const, version: PROTOCOL_VERSION, messageId: this.sim.data.uuid(), transferId: share.transferId };
  await sendScripted(this, from, to, encode(cancel), kind);
});

/** The invitation of a share exactly as its sender's phone sent it. */
function capturedInvitation(world: SctWorld, kind: CredentialKind): Uint8Array {
  const share = world.share(kind);
  const [invitation] = world.sim.protocolMessages(share.sender, 'sent', share.transferId, 'ShareInvitation');
  assert.ok(invitation, `${share.sender.name} sent no invitation for the ${kind}`);
  return encode(invitation);
}

When("{person}'s phone sends {person} the {credential} invitation again", function (this: SctWorld, from: string, to: string, kind: CredentialKind) {
  // A replay of the very same invitation (same message id), long after the share completed.
  return sendScripted(this, from, to, capturedInvitation(this, kind), kind);
});

When(
  /^(\w+)'s phone sends (\w+) a copy of \w+'s (.+) invitation( under a new message id)?$/,
  function (this: SctWorld, from: string, to: string, kind: string, newId: string | undefined) {
    if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
    // Someone who got hold of an invitation (forwarded, leaked) replays it from their own account;
    // under a new message id, it passes any check of message ids seen before.
    const bytes = capturedInvitation(this, kind);
    if (!newId) return sendScripted(this, from, to, bytes, kind);
    const decoded = decode(bytes);
    assert.ok(decoded.ok, 'the captured invitation no longer decodes');
    return sendScripted(this, from, to, encode({ ...decoded.message, messageId: this.sim.data.uuid() }), kind);
  },
);

When("{person}'s phone sends {person} a copy of {person}'s {credential} invitation {defect}", function (this: SctWorld, from: string, to: string, owner: string, kind: CredentialKind, defect: (m: RawMessage) => RawMessage) {
  // A damaged copy under the transfer's own id: the receiver may report it, never act on it.
  this.sim.expectViolations();
  const decoded = decode(capturedInvitation(this, kind));
  assert.ok(decoded.ok, 'the captured invitation no longer decodes');
  assert.equal(this.share(kind).sender, this.sim.phone(owner), `the ${kind} was not shared by ${owner}`);
  return sendScripted(this, from, to, toBytes(defect(decoded.message as unknown as RawMessage)), kind);
});

Then("{person}'s phone answers {person} that the invitation was {word}", function (this: SctWorld, owner: string, to: string, reason: string) {
  const receiver = this.sim.phone(owner);
  const share = this.shares.findLast((s) => s.receiver === receiver);
  assert.ok(share, `nothing was shared with ${owner}`);
  const answers = this.sim.sentMessages(receiver, this.sim.phone(to), 'TransferComplete').filter((m) => m.transferId === share.transferId);
  assert.ok(
    answers.some((m) => m.status === 'failed' && m.reason === reason),
    `${owner}'s phone did not answer ${to} that the invitation was ${reason} ` +
      `(its answers for that transfer: ${JSON.stringify(answers.map((a) => ({ status: a.status, reason: a.reason })))})`,
  );
});
