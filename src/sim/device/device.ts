/**
 * A virtual device: the Signal app on one simulated phone, built on the real libsignal. It
 * registers and uploads its keys, sets up PQXDH sessions from fetched bundles, encrypts and
 * decrypts with the Double Ratchet, handles device-list changes (409/410) itself, drops what it
 * already decrypted, and offers the credential app the Signal app API of the adapter contract.
 */
import {
  CiphertextMessageType,
  ErrorCode,
  IdentityKeyPair,
  KEMKeyPair,
  KEMPublicKey,
  LibSignalErrorBase,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SignalMessage,
  KyberPreKeyRecord,
  SignedPreKeyRecord,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import {
  SignalSendError,
  type IncomingMessage,
  type SendReceipt,
  type SignalAccount,
  type SignalAppApi,
} from '../../adapter/contract.ts';
import type { Clock } from '../clock.ts';
import { AppAssertionError, threw } from '../failures.ts';
import type { Trace } from '../trace.ts';
import type { Connection, DeviceCredentials, SignalServer } from '../server/server.ts';
import type { Transport, WireResponse } from '../transport/index.ts';
import { EnvelopeType, canonicalAci, type Envelope, type IncomingMessageList, type PreKeyResponse } from '../server/wire.ts';
import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
} from './stores.ts';

type Bytes = Uint8Array<ArrayBuffer>;

/** What a lookup found, as the `device.lookup` trace event says it. */
export type LookupOutcome = 'registered' | 'not-registered' | 'sender-not-registered' | 'failed';

/**
 * One-time prekeys, kept as Signal clients keep them: a batch of each kind uploaded with the
 * device's keys, and a new batch of a kind whenever the server reports fewer than
 * ONE_TIME_MINIMUM of it left, checked after each PreKey message the device decrypts (it used
 * one up). Signal-Android does the same with a minimum of 10 and batches of 100
 * (PreKeysSyncJob.ONE_TIME_PREKEY_MINIMUM, PreKeyUtil.BATCH_SIZE; MessageDecryptor queues
 * PreKeysSyncJob after every PREKEY_BUNDLE envelope); here a scenario sets up a few sessions per
 * device and a fleet thousands of devices, so the batches are small: an ML-KEM key pair with its
 * signature costs about 0.3 ms to make and 0.1 ms for the server to check, and the last-resort
 * Kyber key serves any session beyond the one-time keys.
 */
const ONE_TIME_EC_BATCH = 3;
const ONE_TIME_KYBER_BATCH = 1;
const ONE_TIME_MINIMUM = 1;
/** Attempts at one send when the server reports device-list changes (409/410). */
const DEVICE_LIST_ATTEMPTS = 3;

/** One plaintext this device got the server to accept, or decrypted and handed to its app. */
export interface Plaintext {
  direction: 'sent' | 'received';
  /** The other account (ACI). */
  peer: string;
  bytes: Uint8Array;
  /** Simulated time it was accepted or handed over. */
  at: number;
  /** The trace event that recorded it (`device.sent` or `device.received`). */
  seq: number;
  /** Sent by the harness playing a scripted peer, not by the credential app. */
  scripted?: boolean;
}

export interface DeviceOptions {
  /** A name for humans: "Bob's phone". */
  name: string;
  server: SignalServer;
  /** How this device's requests reach the server (msw or direct: see ../transport/). */
  transport: Transport;
  clock: Clock;
  trace: Trace;
  /** Account credentials from the server's admin API. */
  credentials: DeviceCredentials;
  registrationId: number;
  /** The account's identity key pair; a linked device shares its primary's. New when omitted. */
  identity?: IdentityKeyPair;
  /** Describes plaintext for the trace (the protocol's message type and ids); never the content. */
  describe?: (bytes: Uint8Array) => Record<string, unknown>;
  /** Queues work for the app (identity events) as a simulation task, so "quiet" waits for it. */
  schedule?: (label: string, run: () => unknown) => void;
  /** Runs the app's message handler (the simulation guards it against hangs). */
  runHandler?: (label: string, run: () => void | Promise<void>) => Promise<void>;
  /** Called when the app's message handler throws or hangs. */
  onAppError?: (message: string) => void;
  /** Called when the server refuses a request the device built (the harness's fault, not the app's). */
  onHarnessError?: (message: string) => void;
}

export class VirtualDevice {
  readonly name: string;
  readonly aci: string;
  readonly number: string;
  readonly deviceId: number;
  readonly registrationId: number;
  readonly identity: IdentityKeyPair;
  private readonly address: ProtocolAddress;
  private readonly sessions = new MemorySessionStore();
  private readonly identities: MemoryIdentityStore;
  private readonly preKeys = new MemoryPreKeyStore();
  private readonly signedPreKeys = new MemorySignedPreKeyStore();
  private readonly kyberPreKeys = new MemoryKyberPreKeyStore();
  /** Ids for the next one-time EC and Kyber prekeys (Kyber ids include the last-resort key's). */
  private nextPreKeyId = 1;
  private nextKyberPreKeyId = 1;
  /**
   * Plaintexts this device sent (accepted by the server) and handed to its app, in order. The
   * harness's own record, as the Signal app on the phone sees them; never sent anywhere.
   */
  readonly plaintexts: Plaintext[] = [];
  /** Devices (aci.id) whose session was archived (410) and has no replacement yet. */
  private readonly archived = new Set<string>();
  /** Known devices of each peer (by ACI), with their registration ids: where a send goes. */
  private readonly peerDevices = new Map<string, Map<number, number>>();
  /** Peer devices' addresses, by `aci.deviceId` (see addressOf). */
  private readonly addresses = new Map<string, ProtocolAddress>();
  private connection?: Connection;
  /**
   * libsignal reads a session, ratchets it and writes it back: two operations on one session
   * must not interleave, or both would use the same message key. Every operation on the stores
   * (session set-up, encrypt, decrypt) runs under this lock; HTTP round trips run outside it, so
   * concurrent sends still overlap on the network.
   */
  private storeLock: Promise<unknown> = Promise.resolve();
  private handler?: (message: IncomingMessage) => void | Promise<void>;
  private identityChanged?: (aci: string) => void;
  private identityConfirmed?: (aci: string) => void | Promise<void>;
  private readonly authorization: string;
  /** The API the credential app on this phone gets. */
  readonly api: SignalAppApi;

  constructor(private readonly opts: DeviceOptions) {
    this.name = opts.name;
    this.aci = opts.credentials.aci;
    this.number = opts.credentials.number;
    this.deviceId = opts.credentials.deviceId;
    this.registrationId = opts.registrationId;
    this.identity = opts.identity ?? IdentityKeyPair.generate();
    this.address = ProtocolAddress.new(this.aci, this.deviceId);
    this.identities = new MemoryIdentityStore(this.identity, opts.registrationId, (aci) => {
      this.opts.trace.record('device.identity-changed', { device: this.label, peer: aci });
      this.identityChanged?.(aci);
    });
    const user = `${this.aci}.${this.deviceId}:${opts.credentials.password}`;
    this.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    this.api = {
      self: { aci: this.aci, number: this.number, deviceId: this.deviceId },
      lookup: (recipient) => this.lookup(recipient),
      send: (recipient, bytes) => this.send(recipient, bytes),
      onMessage: (handler) => {
        this.handler = handler;
      },
      onIdentityChanged: (handler) => {
        this.identityChanged = handler;
      },
      onIdentityConfirmed: (handler) => {
        this.identityConfirmed = handler;
      },
    };
  }

  /** The Basic authorization header this device sends (harness tests make raw requests with it). */
  get authorizationHeader(): string {
    return this.authorization;
  }

  get label(): string {
    return `${this.aci}.${this.deviceId}`;
  }

  /**
   * The user confirms a peer's new safety number (in Signal, "mark as verified"). Sends to that
   * peer are then no longer held back by the credential app.
   */
  confirmIdentity(aci: string): void {
    if (!this.identities.confirm(aci)) throw new Error(`${this.name} has no changed identity of ${aci} to confirm`);
    this.opts.trace.record('device.identity-confirmed', { device: this.label, peer: aci });
    const handler = this.identityConfirmed;
    if (handler) (this.opts.schedule ?? ((_l, run) => void run()))(`identity confirmed on ${this.name}`, () => handler(aci));
  }

  /** Whether this device trusts a peer's identity, or knows it changed and awaits confirmation. */
  identityStatus(aci: string) {
    return this.identities.status(aci);
  }

  get online(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Generates and uploads the signed prekey, one-time EC and Kyber keys, last resort, all signed
   * by the identity key the registration gave the server (a key upload carries none, as in Signal).
   */
  async uploadKeys(): Promise<void> {
    const sign = (bytes: Bytes) => this.identity.privateKey.sign(bytes);
    const now = this.opts.clock.now();
    const signed = PrivateKey.generate();
    const signedPub = signed.getPublicKey().serialize();
    const signedRecord = SignedPreKeyRecord.new(1, now, signed.getPublicKey(), signed, sign(signedPub));
    await this.signedPreKeys.saveSignedPreKey(1, signedRecord);
    const preKeys = await this.newPreKeys();
    const pqPreKeys = await this.newKyberKeys(now);
    const res = await this.request('PUT', '/v2/keys', {
      signedPreKey: { keyId: 1, publicKey: b64(signedPub), signature: b64(signedRecord.signature()) },
      preKeys,
      pqPreKeys,
      pqLastResortPreKey: await this.newKyberKey(now, true),
    });
    if (res.status !== 200) throw new Error(`${this.name}: key upload failed with ${res.status}: ${await res.text()}`);
  }

  /**
   * Asks the server how many one-time keys it still has for this device (GET /v2/keys) and
   * uploads a new batch of each kind that runs low. A device that is no longer registered (401)
   * has nothing to refill.
   */
  async refillPreKeys(): Promise<void> {
    const res = await this.request('GET', '/v2/keys');
    if (res.status === 401) return;
    if (res.status !== 200) throw new Error(`${this.name}: GET /v2/keys answered ${res.status}: ${await res.text()}`);
    const { count, pqCount } = (await res.json()) as { count: number; pqCount: number };
    const upload = {
      ...(count < ONE_TIME_MINIMUM ? { preKeys: await this.newPreKeys() } : {}),
      ...(pqCount < ONE_TIME_MINIMUM ? { pqPreKeys: await this.newKyberKeys(this.opts.clock.now()) } : {}),
    };
    if (!upload.preKeys && !upload.pqPreKeys) return;
    const put = await this.request('PUT', '/v2/keys', upload);
    if (put.status === 401) return;
    if (put.status !== 200) throw new Error(`${this.name}: prekey refill failed with ${put.status}: ${await put.text()}`);
  }

  /** Opens the connection: queued envelopes start arriving. */
  goOnline(): void {
    if (this.connection) return;
    this.connection = this.opts.server.connect(this.aci, this.deviceId, this.opts.credentials.password, (e) =>
      this.receive(e),
    );
  }

  goOffline(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  /** No app gets this device's messages any more (the harness plays the phone): they are still decrypted, recorded and acknowledged. */
  detachApp(): void {
    this.handler = undefined;
  }

  /**
   * Whether a recipient is on Signal. Every answer goes into the trace as `device.lookup` (the
   * recipient, the status, the outcome; nothing secret): a share reported failed because its
   * recipient is not on Signal, or because this phone is not registered, is checked against it.
   */
  async lookup(recipient: string): Promise<SignalAccount | undefined> {
    const traced = (httpStatus: number | 'network-error', outcome: LookupOutcome, aci?: string) =>
      this.opts.trace.record('device.lookup', { device: this.label, recipient: String(recipient), httpStatus, outcome, ...(aci ? { aci } : {}) });
    const byAci = isAci(recipient);
    let res: Answer;
    try {
      res = await this.request(byAci ? 'HEAD' : 'GET', byAci ? `/v1/accounts/account/${recipient}` : `/v1/sim/discovery/${recipient}`);
    } catch (error) {
      traced('network-error', 'failed');
      throw error;
    }
    if (byAci) {
      const aci = canonicalAci(recipient);
      traced(res.status, res.status === 200 ? 'registered' : 'not-registered', res.status === 200 ? aci : undefined);
      return res.status === 200 ? { aci } : undefined;
    }
    if (res.status === 404) {
      traced(404, 'not-registered');
      return undefined;
    }
    if (res.status === 401) {
      traced(401, 'sender-not-registered');
      throw new SignalSendError('sender-not-registered', `${this.name} is not registered`);
    }
    if (res.status !== 200) {
      traced(res.status, 'failed');
      throw await this.httpError(`GET /v1/sim/discovery`, res);
    }
    const { aci } = (await res.json()) as { aci: string };
    traced(200, 'registered', aci);
    return { aci, number: recipient };
  }

  /** Encrypts `plaintext` for every device of the recipient and sends it in one request. */
  /**
   * Encrypts `plaintext` for every device of the recipient and sends it in one request. `origin`
   * says who composed it: the credential app (through its Signal app API), or the harness playing
   * a scripted peer (marked `scripted` in the trace and the plaintext record, so the protocol
   * monitor never judges an app by what the harness sent in its name).
   */
  async send(recipient: string, plaintext: Uint8Array, origin: 'app' | 'harness' = 'app'): Promise<SendReceipt> {
    const aci = isAci(recipient) ? canonicalAci(recipient) : (await this.lookup(recipient))?.aci;
    if (!aci) throw new SignalSendError('not-registered', `${recipient} is not on Signal`);
    // Signal-Server takes whole milliseconds; the clock only has whole instants (see Clock), and
    // this keeps it so whatever an app did to the clock.
    const timestamp = Math.floor(this.opts.clock.now());
    for (let attempt = 1; attempt <= DEVICE_LIST_ATTEMPTS; attempt++) {
      if (!this.peerDevices.get(aci)?.size) await this.fetchSessions(aci, '*');
      else await this.refreshMissingSessions(aci);
      const messages = await this.withStores(() => this.encryptForDevices(aci, plaintext as Bytes));
      const body: IncomingMessageList = { messages, timestamp, online: false, urgent: true };
      // Every attempt goes into the trace, failed ones too: retries are asserted from it.
      const sending = { device: this.label, to: aci, ...this.opts.describe?.(plaintext), ...(origin === 'harness' ? { scripted: true } : {}) };
      let res: Answer;
      const before = this.opts.trace.events.length;
      try {
        res = await this.request('PUT', `/v1/messages/${aci}`, body);
      } catch (error) {
        const failed = this.opts.trace.record('device.sent', { ...sending, httpStatus: 'network-error' });
        // The app cannot tell, but the harness can: an answer lost after the server stored the
        // message (fault `lose-response`) means it was sent, and what was sent is evidence.
        if (this.storedDespiteError(before, aci)) this.plaintexts.push({ direction: 'sent', peer: aci, bytes: plaintext, at: this.opts.clock.now(), seq: failed.seq, ...(origin === 'harness' ? { scripted: true } : {}) });
        throw error;
      }
      const retryAfter = res.headers.get('retry-after');
      const sent = this.opts.trace.record('device.sent', { ...sending, httpStatus: res.status, ...(retryAfter ? { retryAfter: Number(retryAfter) } : {}) });
      if (res.status === 200) {
        this.plaintexts.push({ direction: 'sent', peer: aci, bytes: plaintext, at: this.opts.clock.now(), seq: sent.seq, ...(origin === 'harness' ? { scripted: true } : {}) });
        return { to: aci, timestamp };
      }
      if (res.status === 409) {
        const { missingDevices, extraDevices } = (await res.json()) as { missingDevices: number[]; extraDevices: number[] };
        for (const id of extraDevices) this.forgetDevice(aci, id);
        for (const id of missingDevices) await this.fetchSessions(aci, String(id));
        continue;
      }
      if (res.status === 410) {
        const { staleDevices } = (await res.json()) as { staleDevices: number[] };
        for (const id of staleDevices) {
          await this.withStores(() => this.sessions.archive(this.addressOf(aci, id)));
          this.archived.add(`${aci}.${id}`);
          await this.fetchSessions(aci, String(id));
        }
        continue;
      }
      throw await this.httpError(`PUT /v1/messages/${aci}`, res);
    }
    throw new SignalSendError('transient', `The device list of ${aci} kept changing (${DEVICE_LIST_ATTEMPTS} attempts)`);
  }

  /** Whether the network lost the server's answer to this device's send to `aci` (traced since `since`): the server stored it. */
  private storedDespiteError(since: number, aci: string): boolean {
    return this.opts.trace.events.slice(since).some((e) => e.kind === 'fault.lose-response' && e.from === this.aci && e.to === aci);
  }

  private async encryptForDevices(aci: string, plaintext: Bytes) {
    const devices = [...(this.peerDevices.get(aci) ?? [])].sort(([a], [b]) => a - b);
    return Promise.all(
      devices.map(async ([deviceId, registrationId]) => {
        const address = this.addressOf(aci, deviceId);
        const message = await this.withIdentityCheck(aci, () =>
          signalEncrypt(plaintext, address, this.address, this.sessions, this.identities, new Date(this.opts.clock.now())),
        );
        return {
          type: message.type() === CiphertextMessageType.PreKey ? EnvelopeType.PREKEY_BUNDLE : EnvelopeType.CIPHERTEXT,
          destinationDeviceId: deviceId,
          destinationRegistrationId: registrationId,
          content: b64(message.serialize()),
        };
      }),
    );
  }

  /** Starts a session again with any device of `aci` whose session was archived and not replaced (a 410 whose refresh failed). */
  private async refreshMissingSessions(aci: string): Promise<void> {
    for (const deviceId of this.peerDevices.get(aci)?.keys() ?? []) {
      if (this.archived.has(`${aci}.${deviceId}`)) await this.fetchSessions(aci, String(deviceId));
    }
  }

  /** Fetches bundles for a recipient's devices and starts a session with each (PQXDH). */
  private async fetchSessions(aci: string, deviceSpec: string): Promise<void> {
    const res = await this.request('GET', `/v2/keys/${aci}/${deviceSpec}`);
    if (res.status !== 200) throw await this.httpError(`GET /v2/keys/${aci}/${deviceSpec}`, res);
    const bundle = (await res.json()) as PreKeyResponse;
    await this.withStores(() => this.startSessions(aci, bundle));
  }

  private async startSessions(aci: string, bundle: PreKeyResponse): Promise<void> {
    const identityKey = PublicKey.deserialize(unb64(bundle.identityKey));
    for (const d of bundle.devices) {
      const preKey = PreKeyBundle.new(
        d.registrationId,
        d.deviceId,
        d.preKey?.keyId ?? null,
        d.preKey ? PublicKey.deserialize(unb64(d.preKey.publicKey)) : null,
        d.signedPreKey.keyId,
        PublicKey.deserialize(unb64(d.signedPreKey.publicKey)),
        unb64(d.signedPreKey.signature),
        identityKey,
        d.pqPreKey.keyId,
        KEMPublicKey.deserialize(unb64(d.pqPreKey.publicKey)),
        unb64(d.pqPreKey.signature),
      );
      const address = this.addressOf(aci, d.deviceId);
      await this.withIdentityCheck(aci, () =>
        processPreKeyBundle(preKey, address, this.address, this.sessions, this.identities, new Date(this.opts.clock.now())),
      );
      this.rememberDevice(aci, d.deviceId, d.registrationId);
      this.archived.delete(`${aci}.${d.deviceId}`);
    }
  }

  /** One envelope from the server: decrypt, hand to the app, acknowledge. */
  private async receive(envelope: Envelope): Promise<void> {
    const from = this.addressOf(envelope.sourceServiceId, envelope.sourceDevice);
    // ProtocolAddress's own toString() spelling, without two calls into the native library.
    const where = { device: this.label, from: `${envelope.sourceServiceId}.${envelope.sourceDevice}`, serverGuid: envelope.serverGuid };
    let plaintext: Uint8Array;
    try {
      plaintext = await this.withStores(() => this.decrypt(from, envelope));
    } catch (error) {
      if (error instanceof LibSignalErrorBase && error.code === ErrorCode.DuplicatedMessage) {
        this.opts.trace.record('device.duplicate-dropped', where);
      } else {
        const code = error instanceof LibSignalErrorBase ? error.code : undefined;
        this.opts.trace.record('device.decrypt-failed', { ...where, code, error: String(error) });
      }
      this.connection?.ack(envelope.serverGuid);
      return;
    }
    if (!this.peerDevices.get(envelope.sourceServiceId)?.has(envelope.sourceDevice)) {
      const session = await this.sessions.getSession(from);
      if (session) this.rememberDevice(envelope.sourceServiceId, envelope.sourceDevice, session.remoteRegistrationId());
    }
    // A PreKey message used up one of this device's one-time keys: see whether to upload more,
    // as a task of its own after this one (Signal-Android's follow-up PreKeysSyncJob).
    if (envelope.type === EnvelopeType.PREKEY_BUNDLE) (this.opts.schedule ?? ((_l, run) => void run()))(`prekey refill on ${this.name}`, () => this.refillPreKeys());
    const received = this.opts.trace.record('device.received', { ...where, ...this.opts.describe?.(plaintext) });
    this.plaintexts.push({ direction: 'received', peer: envelope.sourceServiceId, bytes: plaintext, at: this.opts.clock.now(), seq: received.seq });
    if (!this.handler) {
      this.opts.trace.record('device.no-handler', where);
    } else {
      const handler = this.handler;
      const message: IncomingMessage = {
        from: { aci: envelope.sourceServiceId, deviceId: envelope.sourceDevice },
        bytes: plaintext,
        sentAt: envelope.clientTimestamp,
        serverTimestamp: envelope.serverTimestamp,
      };
      const label = `the credential app on ${this.name} handling a message`;
      try {
        await (this.opts.runHandler ?? ((_l, run) => Promise.resolve(run())))(label, () => handler(message));
      } catch (error) {
        this.opts.onAppError?.(error instanceof AppAssertionError ? error.message : threw(label, error));
      }
    }
    this.connection?.ack(envelope.serverGuid);
  }

  private async decrypt(from: ProtocolAddress, envelope: Envelope): Promise<Uint8Array> {
    const content = envelope.content as Bytes;
    if (envelope.type === EnvelopeType.PREKEY_BUNDLE) {
      return signalDecryptPreKey(
        PreKeySignalMessage.deserialize(content),
        from,
        this.address,
        this.sessions,
        this.identities,
        this.preKeys,
        this.signedPreKeys,
        this.kyberPreKeys,
      );
    }
    if (envelope.type === EnvelopeType.CIPHERTEXT) {
      return signalDecrypt(SignalMessage.deserialize(content), from, this.address, this.sessions, this.identities);
    }
    throw new Error(`Unsupported envelope type ${envelope.type}`);
  }

  /**
   * libsignal refuses a send to a changed identity (UntrustedIdentity): this send fails with a
   * typed `identity-changed` and nothing is sent; the new key is remembered as changed and not
   * confirmed, and the app is told, so it can hold back until the user confirms.
   */
  private async withIdentityCheck<T>(aci: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof LibSignalErrorBase && error.code === ErrorCode.UntrustedIdentity) {
        this.identities.acceptRefused(aci);
        throw new SignalSendError('identity-changed', `The identity key of ${aci} changed; nothing was sent`);
      }
      throw error;
    }
  }

  /** Runs `operation` once every earlier store operation of this device has finished. */
  private withStores<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.storeLock.then(operation, operation);
    this.storeLock = result.catch(() => undefined);
    return result;
  }

  /** A batch of one-time EC prekeys, stored, as the upload carries them. */
  private async newPreKeys() {
    const keys = [];
    for (let i = 0; i < ONE_TIME_EC_BATCH; i++) {
      const id = this.nextPreKeyId++;
      const ec = PrivateKey.generate();
      const publicKey = ec.getPublicKey();
      await this.preKeys.savePreKey(id, PreKeyRecord.new(id, publicKey, ec));
      keys.push({ keyId: id, publicKey: b64(publicKey.serialize()) });
    }
    return keys;
  }

  private async newKyberKeys(now: number) {
    const keys = [];
    for (let i = 0; i < ONE_TIME_KYBER_BATCH; i++) keys.push(await this.newKyberKey(now, false));
    return keys;
  }

  private async newKyberKey(now: number, lastResort: boolean) {
    const id = this.nextKyberPreKeyId++;
    const pair = KEMKeyPair.generate();
    const publicKey = pair.getPublicKey().serialize();
    const signature = this.identity.privateKey.sign(publicKey);
    await this.kyberPreKeys.saveKyberPreKey(id, KyberPreKeyRecord.new(id, now, pair, signature), lastResort);
    return { keyId: id, publicKey: b64(publicKey), signature: b64(signature) };
  }

  /** A peer device's address: one native object per device, not one per message (they are values). */
  private addressOf(aci: string, deviceId: number): ProtocolAddress {
    const key = `${aci}.${deviceId}`;
    let address = this.addresses.get(key);
    if (!address) this.addresses.set(key, (address = ProtocolAddress.new(aci, deviceId)));
    return address;
  }

  private rememberDevice(aci: string, deviceId: number, registrationId: number): void {
    let devices = this.peerDevices.get(aci);
    if (!devices) this.peerDevices.set(aci, (devices = new Map()));
    devices.set(deviceId, registrationId);
  }

  private forgetDevice(aci: string, deviceId: number): void {
    this.peerDevices.get(aci)?.delete(deviceId);
    this.sessions.delete(this.addressOf(aci, deviceId));
  }

  private async httpError(request: string, res: Answer): Promise<SignalSendError> {
    return mapHttpError(request, res.status, res.text(), res.headers, this.opts.onHarnessError);
  }

  /** One request through the transport; no answer (a connection error) is `transient` to the app. */
  private async request(method: string, path: string, json?: unknown): Promise<Answer> {
    try {
      const body = json === undefined ? undefined : encoder.encode(JSON.stringify(json));
      return new Answer(await this.opts.transport.request({ method, path, authorization: this.authorization, body }));
    } catch (error) {
      throw new SignalSendError('transient', `${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A server's answer as the device reads it: the status, a header, the body as text or JSON. */
class Answer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };

  constructor(private readonly wire: WireResponse) {
    this.status = wire.status;
    this.headers = { get: (name) => wire.headers[name.toLowerCase()] ?? null };
  }

  text(): string {
    return this.wire.body ? decoder.decode(this.wire.body) : '';
  }

  json(): unknown {
    return JSON.parse(this.text());
  }
}

/**
 * Maps an HTTP failure to the typed error the app sees. Only failures the app or the network can
 * cause are the app's to handle; a 4xx for a request the device built itself (400, 405, 422...)
 * is the harness's own fault: it is reported as such, with the server's reason, and the app gets
 * `rejected`, never `transient` (retrying could not help).
 */
export function mapHttpError(request: string, status: number, body: string, headers: { get(name: string): string | null }, onHarnessError?: (message: string) => void): SignalSendError {
  switch (status) {
    case 401:
      return new SignalSendError('sender-not-registered', `The server refused this phone's credentials (401)`);
    case 404:
      return new SignalSendError('not-registered', `The recipient is not registered (404)`);
    case 413:
      return new SignalSendError('too-large', `The message is too large (413): ${body}`);
    case 429: {
      const seconds = Number(headers.get('retry-after') ?? '0');
      return new SignalSendError('rate-limited', `Rate limited (429), retry after ${seconds} s`, seconds * 1000);
    }
  }
  if (status >= 500) return new SignalSendError('transient', `The server answered ${status}: ${body}`);
  const message = `The simulated server refused a request the harness built: ${request} answered ${status}: ${body}`;
  onHarnessError?.(message);
  return new SignalSendError('rejected', `${message} (a harness fault, not the app's)`);
}

const ACI_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isAci(text: string): boolean {
  return ACI_PATTERN.test(text);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'); // a view: no copy
}
function unb64(text: string): Bytes {
  return new Uint8Array(Buffer.from(text, 'base64')) as Bytes;
}
