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

/**
 * What this device knows of each peer's identity key, with Signal's rules for a changed one:
 * trusted on first use; when a peer's key changes, the first send to it is refused (libsignal
 * throws UntrustedIdentity, the device tells the app) and the new key is then remembered as
 * changed but not confirmed; sends go through again (as in Signal) while the app holds back what
 * must not reach an unconfirmed identity; the user confirms the new safety number to end it.
 * Receiving from a changed identity is always allowed, and marks it changed.
 */
export type IdentityStatus = 'trusted' | 'changed-unconfirmed';

export class MemoryIdentityStore extends IdentityKeyStore {
  private identities = new Map<string, { key: Uint8Array; status: IdentityStatus }>();
  /** Keys seen for a peer, different from the one we have, that a send was refused for. */
  private readonly refused = new Map<string, Uint8Array>();

  constructor(
    private readonly pair: IdentityKeyPair,
    private readonly registrationId: number,
    /** Called when a peer's identity key is found to have changed. */
    private readonly onChanged: (aci: string) => void = () => {},
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
    if (existing && Buffer.from(existing.key).equals(key.serialize())) return IdentityChange.NewOrUnchanged;
    this.identities.set(name, { key: key.serialize(), status: existing ? 'changed-unconfirmed' : 'trusted' });
    if (!existing) return IdentityChange.NewOrUnchanged;
    this.onChanged(name);
    return IdentityChange.ReplacedExisting;
  }
  async isTrustedIdentity(address: ProtocolAddress, key: PublicKey, direction: Direction): Promise<boolean> {
    const existing = this.identities.get(address.name());
    if (!existing || Buffer.from(existing.key).equals(key.serialize()) || direction === Direction.Receiving) return true;
    this.refused.set(address.name(), key.serialize());
    return false;
  }
  async getIdentity(address: ProtocolAddress): Promise<PublicKey | null> {
    const existing = this.identities.get(address.name());
    return existing ? PublicKey.deserialize(existing.key as Uint8Array<ArrayBuffer>) : null;
  }

  /** After a refused send: remember the new key as changed, unconfirmed (later sends go through). */
  acceptRefused(aci: string): boolean {
    const key = this.refused.get(aci);
    if (!key) return false;
    this.refused.delete(aci);
    this.identities.set(aci, { key, status: 'changed-unconfirmed' });
    this.onChanged(aci);
    return true;
  }

  /** The user confirmed the peer's (new) safety number. */
  confirm(aci: string): boolean {
    const existing = this.identities.get(aci);
    if (!existing || existing.status === 'trusted') return false;
    existing.status = 'trusted';
    return true;
  }

  status(aci: string): IdentityStatus | undefined {
    return this.identities.get(aci)?.status;
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
