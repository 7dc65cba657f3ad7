/**
 * The messages of an exploration plan that no app sends: Mallory's forgeries for Alice's share
 * (from a third account), and messages Alice's Signal device sends with her app bypassed (a
 * malformed invitation, one with unknown fields, a stateful transfer answered with a wrongly
 * signed final package) or her invitation again, and messages Bob's device sends with his app
 * bypassed (a signing request of its own, an early answer). Each crafted transfer carries what Bob's app must do with it, checked
 * after the run (liveness.ts).
 */
import { buildInvitation, toBytes, withField, withoutField, type RawMessage } from '../fakes/invitations.ts';
import { PROTOCOL_VERSION, encode, type KeyImportRequest, type ProtocolMessage } from '../protocol/messages.ts';
import { newKeyPair, seedFrom, signKeyImport, type KeyPair } from '../protocol/signing.ts';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import type { BobMessage, CraftedMessage, ThirdPartyMessage } from './plan.ts';

const DAY = 86_400_000;

/** A transfer Alice's device started with her app bypassed, and what Bob's app must make of it. */
export interface CraftedTransfer {
  transferId: string;
  message: CraftedMessage;
  expect: 'answered malformed' | 'provisioned' | 'not provisioned';
  /** Stateful ones: the credential key the invitation named, and whether the package went out. */
  key?: KeyPair;
  answered?: boolean;
}

const DEFECTS: Partial<Record<CraftedMessage, (m: RawMessage) => RawMessage>> = {
  'an invitation without a title': (m) => withoutField(m, 'displayInformation.title'),
  'an invitation without provisioning information': (m) => withoutField(m, 'provisioningInformation'),
  'an invitation with expiration "tomorrow"': (m) => withField(m, 'expiration', 'tomorrow'),
  'an invitation with flow "telepathic"': (m) => withField(m, 'flow', 'telepathic'),
  'an invitation with unknown fields': (m) => withField(withField(m, 'x-vendor-note', 'from a newer app'), 'displayInformation.x-badge', 'gold'),
};

const keyFrom = (sim: Simulation) => newKeyPair(seedFrom(() => sim.random.next()));

/**
 * Sends a scripted message. The plan's faults and an identity change can stop it like any
 * other; a scripted message that did not get through is simply not there (what Bob's app must
 * do is judged only for what reached it).
 */
async function sendScripted(sim: Simulation, from: Phone, to: Phone, bytes: Uint8Array, secret?: string): Promise<void> {
  try {
    await sim.sendRaw(from, to, bytes, secret);
  } catch (error) {
    sim.trace.record('explore.scripted-send-failed', { from: from.name, to: to.name, error: String(error) });
  }
}

/** Alice's device sends Bob a crafted invitation; a stateful one is answered later by `answerCrafted`. */
export async function sendCrafted(sim: Simulation, alice: Phone, bob: Phone, message: CraftedMessage): Promise<CraftedTransfer> {
  const stateful = !(message in DEFECTS);
  const request = sim.data.credential('authorization token', { recipient: bob.device.number, flow: stateful ? 'stateful' : 'stateless', expiresAt: sim.clock.now() + DAY });
  const transferId = sim.data.uuid();
  const invitation: RawMessage = { ...buildInvitation(request, { transferId, messageId: sim.data.uuid() }) };
  if (!stateful) {
    await sendScripted(sim, alice, bob, toBytes(DEFECTS[message]!(invitation)), request.provisioningInformation);
    return { transferId, message, expect: message === 'an invitation with unknown fields' ? 'provisioned' : 'answered malformed' };
  }
  const key = keyFrom(sim);
  await sendScripted(sim, alice, bob, toBytes({ ...invitation, senderPublicKey: key.publicKey }), request.provisioningInformation);
  return { transferId, message, expect: 'not provisioned', key };
}

/** Answers the first signing request of a crafted stateful transfer with its wrongly signed package, once. */
export async function answerCrafted(sim: Simulation, alice: Phone, bob: Phone, t: CraftedTransfer): Promise<void> {
  if (!t.key || t.answered) return;
  const [request] = sim.protocolMessages(alice, 'received', t.transferId, 'KeySigningRequest');
  if (!request) return;
  // The package names the device whose request came first, as a sender binds it (docs/protocol.md, S3).
  const [seen] = sim.trace.find('device.received', (e) => e.messageId === request.messageId);
  const signer = t.message === 'a final package signed by another key' ? keyFrom(sim) : t.key;
  const receiverPublicKey = t.message === 'a final package signed over another key' ? keyFrom(sim).publicKey : request.receiverPublicKey;
  const credentialData = 'eyJjcmFmdGVkIjp0cnVlfQ==';
  const finalPackage: KeyImportRequest = {
    type: 'KeyImportRequest',
    version: PROTOCOL_VERSION,
    messageId: sim.data.uuid(),
    transferId: t.transferId,
    receiverPublicKey,
    receiverDeviceId: seen ? Number(String(seen.from).split('.')[1]) : bob.device.deviceId,
    signature: signKeyImport(signer.privateKey, t.transferId, receiverPublicKey, credentialData),
    credentialData,
  };
  t.answered = true;
  await sendScripted(sim, alice, bob, encode(finalPackage), credentialData);
}

/** Mallory's forgery for Alice's share `transferId`. */
export async function sendThirdParty(sim: Simulation, mallory: Phone, alice: Phone, bob: Phone, transferId: string, message: ThirdPartyMessage): Promise<void> {
  const base = { version: PROTOCOL_VERSION, messageId: sim.data.uuid(), transferId } as const;
  const mine = keyFrom(sim);
  let forged: ProtocolMessage;
  switch (message) {
    case 'final package to Bob': {
      const [request] = sim.protocolMessages(bob, 'sent', transferId, 'KeySigningRequest');
      const receiverPublicKey = request?.receiverPublicKey ?? keyFrom(sim).publicKey;
      const credentialData = 'Zm9yZ2VkIGJ5IE1hbGxvcnk=';
      forged = { ...base, type: 'KeyImportRequest', receiverPublicKey, receiverDeviceId: bob.device.deviceId, credentialData, signature: signKeyImport(mine.privateKey, transferId, receiverPublicKey, credentialData) };
      break;
    }
    case 'cancel to Bob':
      forged = { ...base, type: 'ShareCancel' };
      break;
    case 'signing request to Alice':
      forged = { ...base, type: 'KeySigningRequest', receiverPublicKey: mine.publicKey };
      break;
    case 'answer to Alice':
      forged = { ...base, type: 'TransferComplete', status: 'provisioned' };
      break;
  }
  await sendScripted(sim, mallory, message.endsWith('to Bob') ? bob : alice, encode(forged));
}

/**
 * Alice's device sends Bob her share's invitation again, as she sent it but under a new message
 * id (a sender that rebuilt it): Bob's app must take it for the transfer it knows, and change
 * nothing. Nothing is sent if her invitation never went out.
 */
export async function sendInvitationAgain(sim: Simulation, alice: Phone, bob: Phone, transferId: string): Promise<void> {
  const [invitation] = sim.protocolMessages(alice, 'sent', transferId, 'ShareInvitation');
  if (!invitation) return;
  await sendScripted(sim, alice, bob, encode({ ...invitation, messageId: sim.data.uuid() }), invitation.provisioningInformation);
}

/**
 * Bob's phone, his app bypassed, writes to Alice about her share (plan.ts, BOB_MESSAGES); only
 * once the server took her invitation (perhaps not delivered yet): before that no one but Alice's
 * app knows the transfer id, and no answer can be Bob's.
 */
export async function sendFromBob(sim: Simulation, bob: Phone, alice: Phone, transferId: string, message: BobMessage): Promise<void> {
  if (!sim.protocolMessages(alice, 'sent', transferId, 'ShareInvitation').length) return;
  const base = { version: PROTOCOL_VERSION, messageId: sim.data.uuid(), transferId } as const;
  const forged: ProtocolMessage =
    message === 'an answer "provisioned"'
      ? { ...base, type: 'TransferComplete', status: 'provisioned' }
      : { ...base, type: 'KeySigningRequest', receiverPublicKey: keyFrom(sim).publicKey };
  await sendScripted(sim, bob, alice, encode(forged));
}
