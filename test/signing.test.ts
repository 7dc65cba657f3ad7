import { describe, expect, it } from 'vitest';
import { fingerprint, newKeyPair, signKeyImport, verifyKeyImport } from '../src/protocol/signing.ts';

const transferId = '7f1f2a4e-1c2b-4d5e-8f90-123456789abc';

describe('stateful-flow signatures (Ed25519)', () => {
  const sender = newKeyPair();
  const receiver = newKeyPair();
  const signature = signKeyImport(sender.privateKey, transferId, receiver.publicKey, 'credential data');

  it("verifies the sender's signature over the receiver's key, transfer and data", () => {
    expect(verifyKeyImport(sender.publicKey, transferId, receiver.publicKey, 'credential data', signature)).toBe(true);
  });

  it.each([
    ['another signer', () => verifyKeyImport(newKeyPair().publicKey, transferId, receiver.publicKey, 'credential data', signature)],
    ['another receiver key', () => verifyKeyImport(sender.publicKey, transferId, newKeyPair().publicKey, 'credential data', signature)],
    ['another transfer', () => verifyKeyImport(sender.publicKey, '00000000-1c2b-4d5e-8f90-123456789abc', receiver.publicKey, 'credential data', signature)],
    ['other credential data', () => verifyKeyImport(sender.publicKey, transferId, receiver.publicKey, 'credential datA', signature)],
    ['a flipped signature bit', () => {
      const bytes = Buffer.from(signature, 'base64');
      bytes[10]! ^= 1;
      return verifyKeyImport(sender.publicKey, transferId, receiver.publicKey, 'credential data', bytes.toString('base64'));
    }],
    ['a signer key that is not a key', () => verifyKeyImport('bm90IGEga2V5', transferId, receiver.publicKey, 'credential data', signature)],
  ])('rejects %s', (_what, check) => {
    expect(check()).toBe(false);
  });

  it('derives the same key from the same seed (seeded runs replay), another from another', () => {
    const seed = new Uint8Array(32).fill(7);
    expect(newKeyPair(seed).publicKey).toBe(newKeyPair(seed).publicKey);
    expect(newKeyPair(new Uint8Array(32).fill(8)).publicKey).not.toBe(newKeyPair(seed).publicKey);
    expect(() => newKeyPair(new Uint8Array(31))).toThrow(/32 bytes, not 31/);
  });

  it('names keys by a short fingerprint, never the key itself', () => {
    expect(fingerprint(receiver.publicKey)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(receiver.publicKey)).not.toBe(fingerprint(sender.publicKey));
  });
});
