/**
 * Steps where the harness itself plays the sender, sending crafted invitations from the sender's
 * Signal device (its credential app is bypassed): duplicates, extra fields, defects.
 */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import type { CredentialKind } from '../src/fakes/data.ts';
import { buildInvitation, toBytes, withField, type RawMessage } from '../src/fakes/invitations.ts';
import type { SctWorld } from './support/world.ts';

const DAY = 86_400_000;

/** Builds a well-formed invitation from Alice to Bob, remembered as a share. */
function scriptedInvitation(world: SctWorld, from: string, to: string, kind: CredentialKind): RawMessage {
  const sender = world.sim.phone(from);
  const receiver = world.sim.phone(to);
  const request = world.sim.data.credential(kind, { recipient: receiver.device.number, expiresAt: world.sim.clock.now() + DAY });
  const transferId = world.sim.data.uuid();
  world.shares.push({ transferId, kind, sender, receiver, request });
  return buildInvitation(request, { transferId, messageId: world.sim.data.uuid() });
}

async function sendScripted(world: SctWorld, from: string, to: string, message: RawMessage, kind: CredentialKind) {
  const share = world.share(kind);
  await world.sim.sendRaw(world.sim.phone(from), world.sim.phone(to), toBytes(message), share.request.provisioningInformation);
  await world.sim.settle();
}

When("{person}'s phone sends {person} the same {credential} invitation twice", async function (this: SctWorld, from, to, kind) {
  const invitation = scriptedInvitation(this, from, to, kind);
  await sendScripted(this, from, to, invitation, kind);
  await sendScripted(this, from, to, invitation, kind);
});

When("{person}'s phone sends {person} the {credential} invitation again with a new message id", async function (this: SctWorld, from, to, kind) {
  const invitation = scriptedInvitation(this, from, to, kind);
  await sendScripted(this, from, to, invitation, kind);
  await sendScripted(this, from, to, withField(invitation, 'messageId', this.sim.data.uuid()), kind);
});

When("{person}'s phone sends {person} a {credential} invitation with extra fields:", async function (this: SctWorld, from, to, kind, table: DataTable) {
  let invitation = scriptedInvitation(this, from, to, kind);
  for (const { field, value } of table.hashes()) {
    assert.ok(field && value !== undefined, 'the table needs the columns "field" and "value"');
    invitation = withField(invitation, field, JSON.parse(value));
  }
  await sendScripted(this, from, to, invitation, kind);
});

When("{person}'s phone sends {person} a {credential} invitation {defect}", async function (this: SctWorld, from, to, kind, defect: (m: RawMessage) => RawMessage) {
  await sendScripted(this, from, to, defect(scriptedInvitation(this, from, to, kind)), kind);
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
