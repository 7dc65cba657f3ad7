/**
 * In-memory libsignal stores for one virtual device. Records are kept serialized, as a real app
 * keeps them on disk, so nothing shares native handles between calls.
 */
import {
  Direction,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyRecord,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SessionRecord,
  SessionStore,
  SignedPreKeyRecord,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';

export class MemorySessionStore extends SessionStore {
  private sessions = new Map<string, Uint8Array>();

  async saveSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.sessions.set(address.toString(), record.serialize());
  }
  async getSession(address: ProtocolAddress): Promise<SessionRecord | null> {
    const bytes = this.sessions.get(address.toString());
    return bytes ? SessionRecord.deserialize(bytes as Uint8Array<ArrayBuffer>) : null;
  }
  async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return Promise.all(
      addresses.map(async (a) => {
        const record = await this.getSession(a);
        if (!record) throw new Error(`No session for ${a.toString()}`);
        return record;
      }),
    );
  }
  /** Archives the current session state (a stale device re-registered). */
  async archive(address: ProtocolAddress): Promise<void> {
    const record = await this.getSession(address);
    if (!record) return;
    record.archiveCurrentState();
    await this.saveSession(address, record);
  }
  delete(address: ProtocolAddress): void {
    this.sessions.delete(address.toString());
  }
}

/** Trust on first use; a changed identity is untrusted until the user confirms it. */
export class MemoryIdentityStore extends IdentityKeyStore {
  private identities = new Map<string, Uint8Array>();

  constructor(
    private readonly pair: IdentityKeyPair,
    private readonly registrationId: number,
  ) {
    super();
  }

  async getIdentityKey(): Promise<PrivateKey> {
    return this.pair.privateKey;
  }
  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }
  async saveIdentity(address: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    const name = address.name();
    const existing = this.identities.get(name);
    this.identities.set(name, key.serialize());
    return existing && !Buffer.from(existing).equals(key.serialize())
      ? IdentityChange.ReplacedExisting
      : IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(address: ProtocolAddress, key: PublicKey, _direction: Direction): Promise<boolean> {
    const existing = this.identities.get(address.name());
    return !existing || Buffer.from(existing).equals(key.serialize());
  }
  async getIdentity(address: ProtocolAddress): Promise<PublicKey | null> {
    const existing = this.identities.get(address.name());
    return existing ? PublicKey.deserialize(existing as Uint8Array<ArrayBuffer>) : null;
  }
}

export class MemoryPreKeyStore extends PreKeyStore {
  private keys = new Map<number, Uint8Array>();
  async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.keys.set(id, record.serialize());
  }
  async getPreKey(id: number): Promise<PreKeyRecord> {
    const bytes = this.keys.get(id);
    if (!bytes) throw new Error(`No prekey ${id}`);
    return PreKeyRecord.deserialize(bytes as Uint8Array<ArrayBuffer>);
  }
  async removePreKey(id: number): Promise<void> {
    this.keys.delete(id);
  }
}

export class MemorySignedPreKeyStore extends SignedPreKeyStore {
  private keys = new Map<number, Uint8Array>();
  async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.keys.set(id, record.serialize());
  }
  async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    const bytes = this.keys.get(id);
    if (!bytes) throw new Error(`No signed prekey ${id}`);
    return SignedPreKeyRecord.deserialize(bytes as Uint8Array<ArrayBuffer>);
  }
}

/** One-time Kyber keys are deleted once used; the last-resort key stays. */
export class MemoryKyberPreKeyStore extends KyberPreKeyStore {
  private keys = new Map<number, Uint8Array>();
  private lastResort = new Set<number>();
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord, lastResort = false): Promise<void> {
    this.keys.set(id, record.serialize());
    if (lastResort) this.lastResort.add(id);
  }
  async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    const bytes = this.keys.get(id);
    if (!bytes) throw new Error(`No Kyber prekey ${id}`);
    return KyberPreKeyRecord.deserialize(bytes as Uint8Array<ArrayBuffer>);
  }
  async markKyberPreKeyUsed(id: number, _signedPreKeyId: number, _baseKey: PublicKey): Promise<void> {
    if (!this.lastResort.has(id)) this.keys.delete(id);
  }
}
