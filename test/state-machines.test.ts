/**
 * The reference app's state machines, one test per transition in docs/protocol.md (S1-S11 for
 * the sender, R1-R16 for the receiver).
 */
import { describe, expect, it } from 'vitest';
import { senderStep, type SenderTransfer } from '../src/fakes/reference/sender.ts';
import { receiverStep, type ReceiverDeps, type ReceiverTransfer } from '../src/fakes/reference/receiver.ts';
import type { Effect } from '../src/fakes/reference/effects.ts';
import { newKeyPair, signKeyImport, verifyKeyImport } from '../src/protocol/signing.ts';
import type { KeyImportRequest, ShareInvitation, TransferComplete } from '../src/protocol/messages.ts';

const T = '7f1f2a4e-1c2b-4d5e-8f90-123456789abc';
const NOW = Date.UTC(2026, 0, 15, 9);
const LATER = NOW + 86_400_000;
let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
const sent = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'send' ? [e.message] : []));
const kinds = (effects: Effect[]) => effects.map((e) => e.kind);

describe('sender state machine', () => {
  const credentialKey = newKeyPair();
  const receiverKey = newKeyPair().publicKey;
  const transfer = (over: Partial<SenderTransfer> = {}): SenderTransfer => ({
    transferId: T,
    recipientAci: 'bob',
    flow: 'stateful',
    expiresAt: LATER,
    credentialData: 'the car key',
    credentialKey,
    state: 'invited',
    ...over,
  });
  const ksr = (key = receiverKey, fromDevice = 1) => ({ type: 'key-signing-request' as const, now: NOW, fromDevice, message: { type: 'KeySigningRequest' as const, version: 1, messageId: newId(), transferId: T, receiverPublicKey: key } });
  const complete = (status: TransferComplete['status'], reason?: TransferComplete['reason'], fromDevice = 1) => ({
    type: 'transfer-complete' as const,
    fromDevice,
    message: { type: 'TransferComplete' as const, version: 1, messageId: newId(), transferId: T, status, ...(reason ? { reason } : {}) },
  });

  it('S0: the invitation accepted by the server makes the share invited; given up, failed with the reason', () => {
    const accepted = transfer({ state: 'sending' });
    expect(senderStep(accepted, { type: 'invitation-sent' }, { newId })).toEqual([{ kind: 'state', state: 'invited' }]);
    const refused = transfer({ state: 'sending' });
    senderStep(refused, { type: 'send-failed', reason: 'send-failed', detail: '503 x8' }, { newId });
    expect(refused.state).toBe('failed');
  });

  it('S0: an answer that arrives while the invitation is still being retried counts', () => {
    const t = transfer({ state: 'sending', flow: 'stateless', credentialKey: undefined });
    senderStep(t, complete('provisioned'), { newId });
    expect(t.state).toBe('completed');
    expect(kinds(senderStep(t, { type: 'invitation-sent' }, { newId }))).toEqual(['ignore']);
  });

  it('S1: a signing request in a stateless share is a violation and changes nothing', () => {
    const t = transfer({ flow: 'stateless', credentialKey: undefined });
    expect(senderStep(t, ksr(), { newId })).toEqual([expect.objectContaining({ kind: 'violation', requirement: 'R-STATEFUL-1' })]);
    expect(t.state).toBe('invited');
  });

  it('S2: a signing request after the expiration fails the share and signs nothing', () => {
    const t = transfer({ expiresAt: NOW });
    const effects = senderStep(t, ksr(), { newId });
    expect(t.state).toBe('failed');
    expect(effects).toEqual([expect.objectContaining({ kind: 'state', state: 'failed', reason: 'expired' })]);
    expect(t.finalPackage).toBeUndefined();
  });

  it("S3: a signing request is answered with one final package signed over the receiver's key", () => {
    const t = transfer();
    const [pkg] = sent(senderStep(t, ksr(), { newId })) as KeyImportRequest[];
    expect(t.state).toBe('package-sent');
    expect(pkg).toMatchObject({ type: 'KeyImportRequest', transferId: T, receiverPublicKey: receiverKey, credentialData: 'the car key' });
    expect(verifyKeyImport(credentialKey.publicKey, T, receiverKey, 'the car key', pkg!.signature)).toBe(true);
  });

  it('S4: a repeated signing request gets the same package again, same message id', () => {
    const t = transfer();
    const [first] = sent(senderStep(t, ksr(), { newId }));
    const [again] = sent(senderStep(t, ksr(), { newId }));
    expect(again).toEqual(first);
    expect(t.state).toBe('package-sent');
  });

  it('S5: a second signing request with another key is a violation and signs nothing', () => {
    const t = transfer();
    senderStep(t, ksr(), { newId });
    const effects = senderStep(t, ksr(newKeyPair().publicKey), { newId });
    expect(effects).toEqual([expect.objectContaining({ kind: 'violation', requirement: 'R-STATEFUL-2' })]);
    expect(t.finalPackage!.receiverPublicKey).toBe(receiverKey);
  });

  it('S6: "provisioned" before any package in a stateful share is a violation', () => {
    const t = transfer();
    expect(kinds(senderStep(t, complete('provisioned'), { newId }))).toEqual(['violation']);
    expect(t.state).toBe('invited');
  });

  it('S7: "provisioned" completes a stateless share, and a stateful one once the package was sent', () => {
    const stateless = transfer({ flow: 'stateless', credentialKey: undefined });
    senderStep(stateless, complete('provisioned'), { newId });
    expect(stateless.state).toBe('completed');
    const stateful = transfer({ state: 'package-sent', packageAttempts: 1 });
    expect(senderStep(stateful, complete('provisioned'), { newId })).toEqual([{ kind: 'state', state: 'completed' }]);
    // A package still held for a new safety number has not left: "provisioned" cannot be true yet.
    const held = transfer({ state: 'package-sent' });
    expect(senderStep(held, complete('provisioned'), { newId })).toEqual([expect.objectContaining({ kind: 'violation', requirement: 'R-STATEFUL-1' })]);
    expect(held.state).toBe('package-sent');
  });

  it('S8: a failed answer fails the share with its reason', () => {
    const t = transfer({ state: 'package-sent' });
    expect(senderStep(t, complete('failed', 'key-mismatch'), { newId })).toEqual([{ kind: 'state', state: 'failed', reason: 'key-mismatch' }]);
  });

  it('S9: a declined answer declines the share', () => {
    const t = transfer();
    senderStep(t, complete('declined'), { newId });
    expect(t.state).toBe('declined');
  });

  it('S10: cancelling sends a ShareCancel', () => {
    const t = transfer({ state: 'package-sent' });
    const effects = senderStep(t, { type: 'cancel' }, { newId });
    expect(t.state).toBe('cancelled');
    expect(sent(effects)).toEqual([expect.objectContaining({ type: 'ShareCancel', transferId: T })]);
  });

  it.each(['completed', 'failed', 'declined', 'cancelled'] as const)('S11: once %s, nothing changes it', (state) => {
    const t = transfer({ state });
    for (const event of [ksr(), complete('provisioned'), complete('failed', 'expired'), { type: 'cancel' as const }]) {
      expect(kinds(senderStep(t, event, { newId }))).toEqual(['ignore']);
    }
    expect(t.state).toBe(state);
  });
});

describe('receiver state machine', () => {
  const senderKey = newKeyPair();
  let seed = 0;
  const deps: ReceiverDeps = { newId, flows: ['stateless', 'stateful'], keySeed: () => new Uint8Array(32).fill(++seed), deviceId: 1 };
  const transfer = (): ReceiverTransfer => ({ transferId: T, senderAci: 'alice', state: 'new' });
  const invitation = (over: Partial<ShareInvitation> = {}) => ({
    type: 'invitation' as const,
    now: NOW,
    message: {
      type: 'ShareInvitation' as const,
      version: 1,
      messageId: newId(),
      transferId: T,
      flow: 'stateful' as const,
      format: 'digitalwallet.carkey.ccc',
      displayInformation: { title: 'Car key', description: 'Blue car' },
      expiration: new Date(LATER).toISOString(),
      provisioningInformation: 'ZGlnaXRhbHdhbGxldA==',
      senderPublicKey: senderKey.publicKey,
      ...over,
    },
  });
  /** A receiver that asked for its key to be signed, and the key it generated. */
  function keyRequested() {
    const t = transfer();
    receiverStep(t, invitation(), deps);
    return { t, key: t.keyPair!.publicKey };
  }
  const pkg = (receiverPublicKey: string, signer = senderKey, now = NOW, receiverDeviceId = 1) => ({
    type: 'key-import' as const,
    now,
    message: {
      type: 'KeyImportRequest' as const,
      version: 1,
      messageId: newId(),
      transferId: T,
      receiverPublicKey,
      receiverDeviceId,
      signature: signKeyImport(signer.privateKey, T, receiverPublicKey, 'the car key'),
      credentialData: 'the car key',
    },
  });
  const answer = (effects: Effect[]) => sent(effects).find((m) => m.type === 'TransferComplete') as TransferComplete | undefined;

  it('R1: a malformed invitation fails the transfer and is answered malformed', () => {
    const t = transfer();
    const effects = receiverStep(t, { type: 'malformed-invitation', problem: 'expiration: Required' }, deps);
    expect(t.state).toBe('failed');
    expect(answer(effects)).toMatchObject({ status: 'failed', reason: 'malformed' });
  });

  it('R2: an invitation of another protocol version is answered unsupported', () => {
    const t = transfer();
    expect(answer(receiverStep(t, invitation({ version: 2 }), deps))).toMatchObject({ status: 'failed', reason: 'unsupported' });
  });

  it('R3: an expired invitation is answered expired and nothing is provisioned', () => {
    const t = transfer();
    const effects = receiverStep(t, invitation({ expiration: new Date(NOW).toISOString() }), deps);
    expect(answer(effects)).toMatchObject({ status: 'failed', reason: 'expired' });
    expect(kinds(effects)).not.toContain('provision');
  });

  it('R4: an unsupported flow is answered unsupported', () => {
    const t = transfer();
    expect(answer(receiverStep(t, invitation(), { ...deps, flows: ['stateless'] }))).toMatchObject({ status: 'failed', reason: 'unsupported' });
  });

  it('R5: a stateless invitation is provisioned and answered provisioned', () => {
    const t = transfer();
    const effects = receiverStep(t, invitation({ flow: 'stateless', senderPublicKey: undefined }), deps);
    expect(t.state).toBe('provisioned');
    expect(effects.find((e) => e.kind === 'provision')).toMatchObject({ credential: { provisioningInformation: 'ZGlnaXRhbHdhbGxldA==' } });
    expect(answer(effects)).toMatchObject({ status: 'provisioned' });
  });

  it('R6: a stateful invitation makes a new key, asks for its signature and sets the expiry timer', () => {
    const t = transfer();
    const effects = receiverStep(t, invitation(), deps);
    expect(t.state).toBe('key-requested');
    expect(sent(effects)).toEqual([expect.objectContaining({ type: 'KeySigningRequest', receiverPublicKey: t.keyPair!.publicKey })]);
    expect(effects).toContainEqual({ kind: 'timer', at: LATER, event: 'expired' });
    expect(effects).toContainEqual({ kind: 'timer', at: NOW + 3_600_000, event: 'resend-key-request' });
  });

  it('R7, R8: a cancel that overtakes its invitation means the invitation provisions nothing', () => {
    const t = transfer();
    receiverStep(t, { type: 'cancel' }, deps);
    expect(t.state).toBe('cancelled');
    const effects = receiverStep(t, invitation({ flow: 'stateless', senderPublicKey: undefined }), deps);
    expect(kinds(effects)).toEqual(['state']);
    expect(effects[0]).toMatchObject({ state: 'cancelled' });
  });

  it('R9: a final package after the expiration is refused as expired', () => {
    const { t, key } = keyRequested();
    expect(answer(receiverStep(t, pkg(key, senderKey, LATER), deps))).toMatchObject({ status: 'failed', reason: 'expired' });
  });

  it('R10: a package signed over another key is refused as key-mismatch', () => {
    const { t } = keyRequested();
    const effects = receiverStep(t, pkg(newKeyPair().publicKey), deps);
    expect(answer(effects)).toMatchObject({ status: 'failed', reason: 'key-mismatch' });
    expect(kinds(effects)).not.toContain('provision');
  });

  it("R11: a package not signed with the invitation's sender key is refused as bad-signature", () => {
    const { t, key } = keyRequested();
    const effects = receiverStep(t, pkg(key, newKeyPair()), deps);
    expect(answer(effects)).toMatchObject({ status: 'failed', reason: 'bad-signature' });
    expect(kinds(effects)).not.toContain('provision');
  });

  it('R12: a valid package is provisioned, bound to the generated key', () => {
    const { t, key } = keyRequested();
    const effects = receiverStep(t, pkg(key), deps);
    expect(t.state).toBe('provisioned');
    expect(effects.find((e) => e.kind === 'provision')).toMatchObject({ credential: { provisioningInformation: 'the car key', boundKey: key } });
    expect(answer(effects)).toMatchObject({ status: 'provisioned' });
  });

  it('R13: a cancel while waiting for the package cancels the transfer', () => {
    const { t } = keyRequested();
    expect(receiverStep(t, { type: 'cancel' }, deps)).toEqual([{ kind: 'state', state: 'cancelled', reason: 'cancelled' }]);
  });

  it('R14: the expiry timer fails a transfer still waiting, and says so', () => {
    const { t } = keyRequested();
    expect(answer(receiverStep(t, { type: 'expired' }, deps))).toMatchObject({ status: 'failed', reason: 'expired' });
  });

  it('R15: a cancel after provisioning changes nothing', () => {
    const { t, key } = keyRequested();
    receiverStep(t, pkg(key), deps);
    expect(kinds(receiverStep(t, { type: 'cancel' }, deps))).toEqual(['ignore']);
    expect(t.state).toBe('provisioned');
  });

  it('R17: still waiting, the receiver asks again with the same key, then waits twice as long', () => {
    const { t, key } = keyRequested();
    const first = receiverStep(t, { type: 'resend-key-request', now: NOW + 3_600_000 }, deps);
    expect(sent(first)).toEqual([expect.objectContaining({ type: 'KeySigningRequest', receiverPublicKey: key })]);
    expect(sent(first)[0]!.messageId).not.toBe(t.keyRequest!.messageId);
    expect(first).toContainEqual({ kind: 'timer', at: NOW + 3 * 3_600_000, event: 'resend-key-request' });
    receiverStep(t, pkg(key), deps);
    expect(kinds(receiverStep(t, { type: 'resend-key-request', now: NOW + 3 * 3_600_000 }, deps))).toEqual(['ignore']);
  });

  it('R16: once final, a repeated invitation or package provisions nothing more', () => {
    const { t, key } = keyRequested();
    receiverStep(t, pkg(key), deps);
    for (const event of [pkg(key), invitation(), { type: 'expired' as const }]) {
      expect(kinds(receiverStep(t, event, deps))).toEqual(['ignore']);
    }
    expect(t.state).toBe('provisioned');
  });
});
