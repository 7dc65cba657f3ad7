/**
 * Evidence rules for provisioning: a phone's `provisioned` report counts only together with the
 * traffic behind it, seen by the harness at the devices. A report with no such traffic fails,
 * naming what is missing; traffic saying "provisioned" with no report fails as well.
 */
import assert from 'node:assert/strict';
import type { Phone } from '../sim/phone.ts';
import type { Simulation } from '../sim/simulation.ts';
import { PhoneRecords, accountsOf, type ShareFacts } from './records.ts';

/**
 * What a device must have received to provision the share, or a sentence saying what is
 * missing. The message comes from the sender's account:
 * - stateless: the ShareInvitation of that transfer carrying exactly the shared provisioning
 *   information;
 * - stateful: a KeyImportRequest of that transfer with the shared credential data, naming this
 *   device and signed over a key this phone sent in its KeySigningRequest for that transfer.
 */
export function provisioningSource(sim: Simulation, phone: Phone, share: ShareFacts): string | undefined {
  const records = new PhoneRecords(sim, phone);
  const from = accountsOf(share.sender);
  const { transferId, request, kind } = share;
  const sender = share.sender.owner;
  if (request.flow === 'stateless') {
    const invitations = records.received(transferId, 'ShareInvitation', from);
    if (invitations.length === 0) return `its device never received an invitation for that transfer from ${sender}'s account`;
    if (!invitations.some((i) => i.message.flow === 'stateless' && i.message.provisioningInformation === request.provisioningInformation)) {
      return `no invitation its device received for that transfer carries the ${kind} ${sender} shared`;
    }
    return undefined;
  }
  const keys = new Set(records.sent(transferId, 'KeySigningRequest', from).map((r) => r.message.receiverPublicKey));
  if (keys.size === 0) return `its device never sent ${sender}'s account a key signing request for that transfer`;
  const packages = records.received(transferId, 'KeyImportRequest', from);
  if (packages.length === 0) return `its device never received a final package for that transfer from ${sender}'s account`;
  const fits = packages.filter(
    (p) => keys.has(p.message.receiverPublicKey) && p.message.receiverDeviceId === p.deviceId && p.message.credentialData === request.provisioningInformation,
  );
  if (fits.length === 0) {
    return `no final package its device received for that transfer carries the ${kind} ${sender} shared, for this device and a key it asked to have signed`;
  }
  return undefined;
}

/** Whether the phone told the sender it provisioned: a TransferComplete `provisioned` of that transfer, accepted by the server, to the sender's account. */
function toldProvisioned(sim: Simulation, phone: Phone, share: ShareFacts): boolean {
  return new PhoneRecords(sim, phone)
    .sent(share.transferId, 'TransferComplete', accountsOf(share.sender))
    .some((m) => m.message.status === 'provisioned');
}

/**
 * The traffic behind a provisioned credential, or what is missing: the device received what it
 * provisions from (see {@link provisioningSource}) and told the sender, with a TransferComplete
 * `provisioned` for that transfer that the server accepted, addressed to the sender's account.
 */
export function provisionedTraffic(sim: Simulation, phone: Phone, share: ShareFacts): string | undefined {
  const source = provisioningSource(sim, phone, share);
  if (source) return source;
  if (!toldProvisioned(sim, phone, share)) {
    return `its device never told ${share.sender.owner}'s phone: the server accepted no TransferComplete "provisioned" for that transfer addressed to ${share.sender.owner}'s account`;
  }
  return undefined;
}

/**
 * "X's phone provisions the <credential> exactly once": the app reported exactly one
 * `provisioned` for the transfer, with the shared format, provisioning information and sender;
 * and {@link provisionedTraffic} holds.
 */
export function provisionedExactlyOnce(sim: Simulation, phone: Phone, share: ShareFacts): void {
  const { kind, request } = share;
  const provisioned = phone.provisioned(share.transferId);
  assert.equal(provisioned.length, 1, `${phone.name} reported the ${kind} provisioned ${provisioned.length} times, expected exactly once`);
  const [credential] = provisioned;
  assert.equal(credential!.format, request.format, `${phone.name} provisioned the wrong format`);
  assert.equal(
    credential!.provisioningInformation,
    request.provisioningInformation,
    `${phone.name} provisioned different provisioning information than ${share.sender.owner} shared`,
  );
  assert.equal(credential!.from, share.sender.device.aci, `${phone.name} names the wrong sender`);
  const missing = provisionedTraffic(sim, phone, share);
  if (missing) assert.fail(`${phone.name} reported the ${kind} provisioned, but ${missing}`);
}

/**
 * Attempts (accepted or not) this phone made to tell anyone that a transfer was provisioned:
 * a TransferComplete `provisioned`, for one transfer or any.
 */
function provisionedAnswers(sim: Simulation, phone: Phone, transferId?: string) {
  return new PhoneRecords(sim, phone).attempts('TransferComplete', transferId).filter((e) => e.status === 'provisioned');
}

/**
 * "X's phone has provisioned no <credential>": no `provisioned` report for the transfer, and the
 * device never tried to send a TransferComplete `provisioned` for it (an app that provisions
 * without reporting would otherwise pass).
 */
export function provisionedNone(sim: Simulation, phone: Phone, share: ShareFacts): void {
  const provisioned = phone.provisioned(share.transferId);
  assert.equal(provisioned.length, 0, `${phone.name} reported the ${share.kind} provisioned ${provisioned.length} time(s)`);
  const answers = provisionedAnswers(sim, phone, share.transferId);
  assert.equal(
    answers.length,
    0,
    `${phone.name} reported no ${share.kind} provisioned, but its device told ${share.sender.owner}'s phone it was (a TransferComplete "provisioned" for that transfer, ${answers.length} attempt(s))`,
  );
}

/** "X's phone has provisioned nothing": no `provisioned` report at all, and no TransferComplete `provisioned` sent for any transfer. */
export function provisionedNothing(sim: Simulation, phone: Phone): void {
  const provisioned = phone.provisioned();
  assert.equal(provisioned.length, 0, `${phone.name} reported ${provisioned.length} credential(s) provisioned, expected none`);
  const answers = provisionedAnswers(sim, phone);
  assert.equal(
    answers.length,
    0,
    `${phone.name} reported nothing provisioned, but its device said it provisioned (TransferComplete "provisioned" for ${[...new Set(answers.map((a) => a.transferId))].join(', ')})`,
  );
}

/**
 * "Exactly one of X's devices provisions the <credential>": one device reported it provisioned,
 * once, grounded as {@link provisionedExactlyOnce}; the others provisioned none of it
 * ({@link provisionedNone}).
 */
export function exactlyOneDeviceProvisions(sim: Simulation, devices: Phone[], share: ShareFacts): Phone {
  const counts = devices.map((d) => d.provisioned(share.transferId).length);
  const owners = devices.filter((_, i) => counts[i]! > 0);
  assert.equal(owners.length, 1, `${devices.map((d, i) => `${d.name}: ${counts[i]}`).join(', ')} reports of the ${share.kind} provisioned; expected one device`);
  const [owner] = owners;
  provisionedExactlyOnce(sim, owner!, share);
  for (const other of devices.filter((d) => d !== owner)) provisionedNone(sim, other, share);
  return owner!;
}
