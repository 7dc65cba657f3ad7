/**
 * Signatures of the stateful flow: the sender (the credential's owner) signs the receiver's
 * freshly generated public key, bound to the transfer and the credential data; the receiver
 * verifies the signature with the key the invitation named. Ed25519 through node:crypto.
 *
 * Keys travel as base64 of their SPKI DER encoding; signatures as base64.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface KeyPair {
  /** Base64 SPKI DER of the Ed25519 public key: what goes on the wire. */
  publicKey: string;
  privateKey: KeyObject;
}

// PKCS#8 DER of an Ed25519 private key is this fixed prefix followed by the 32-byte seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A new Ed25519 key pair; from a 32-byte seed when given (so seeded runs replay). */
export function newKeyPair(seed?: Uint8Array): KeyPair {
  let privateKey: KeyObject;
  if (seed) {
    if (seed.length !== 32) throw new Error(`An Ed25519 seed has 32 bytes, not ${seed.length}`);
    privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  } else {
    privateKey = generateKeyPairSync('ed25519').privateKey;
  }
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { publicKey, privateKey };
}

/** 32 seed bytes drawn from a random source in [0, 1). */
export function seedFrom(random: () => number): Uint8Array {
  return Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
}

/**
 * What the sender signs: the transfer, the receiver's key and a hash of the credential data,
 * each on its own line, so a signature cannot be moved to another transfer, key or credential.
 */
export function keyImportPayload(transferId: string, receiverPublicKey: string, credentialData: string): Uint8Array {
  const dataHash = createHash('sha256').update(credentialData, 'utf8').digest('hex');
  return new TextEncoder().encode(`sct-key-import/1\n${transferId}\n${receiverPublicKey}\n${dataHash}`);
}

export function signKeyImport(privateKey: KeyObject, transferId: string, receiverPublicKey: string, credentialData: string): string {
  return sign(null, keyImportPayload(transferId, receiverPublicKey, credentialData), privateKey).toString('base64');
}

/** True only when `signature` is the holder of `signerPublicKey` signing exactly this payload. */
export function verifyKeyImport(
  signerPublicKey: string,
  transferId: string,
  receiverPublicKey: string,
  credentialData: string,
  signature: string,
): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(signerPublicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, keyImportPayload(transferId, receiverPublicKey, credentialData), key, Buffer.from(signature, 'base64'));
  } catch {
    return false; // not a key at all: nothing verifies against it
  }
}

/** A short, stable name for a public key in traces and messages (not secret, not the key). */
export function fingerprint(publicKey: string): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}
