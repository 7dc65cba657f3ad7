/**
 * The simulated Signal server: accounts, devices, the prekey store, and per-device queues of
 * envelopes that leave only when the device acknowledges them. It never sees a plaintext: it
 * stores what the devices upload (public keys, ciphertext), and shows every request body and
 * stored envelope to an optional wiretap so tests can prove that (see `../confidentiality.ts`).
 *
 * This class holds the state and the rules; `routes.ts` turns HTTP requests into calls here, and
 * `../transport/` carries requests to those routes (msw or direct).
 */
import { PublicKey, KEMPublicKey } from '@signalapp/libsignal-client';
import type { Clock } from '../clock.ts';
import type { Trace } from '../trace.ts';
import type { Random } from '../random.ts';
import type { Faults } from '../faults.ts';
import {
  EnvelopeType,
  MAX_CONTENT_BYTES,
  type Envelope,
  type IncomingMessageList,
  type PreKeyResponse,
  type PreKeyResponseItem,
  type SetKeysRequest,
} from './wire.ts';

/** A response the routes hand back to the transport. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A connected device's receiving end, as Signal's authenticated websocket is for a real phone. */
export type EnvelopeSink = (envelope: Envelope) => Promise<void>;

/** The harness's handle on a device's open connection. */
export interface Connection {
  /** Acknowledges one envelope: the server deletes it from the queue. */
  ack(serverGuid: string): void;
  /** Goes offline: queued envelopes wait, unacknowledged ones are delivered again on reconnect. */
  close(): void;
}

interface StoredKey {
  keyId: number;
  publicKey: string;
  signature?: string;
}

/** An envelope in a queue, with when the network lets it through (delay faults). */
type Queued = Envelope & { deliverAt: number };

interface DeviceRecord {
  id: number;
  registrationId: number;
  password: string;
  signedPreKey?: StoredKey;
  preKeys: StoredKey[];
  pqPreKeys: StoredKey[];
  pqLastResortPreKey?: StoredKey;
  queue: Queued[];
  connection?: { sink: EnvelopeSink; sent: Set<string>; pumping: boolean };
  /** When a delayed envelope becomes deliverable, if a wake-up is set for it. */
  wakeAt?: number;
}

interface AccountRecord {
  aci: string;
  number: string;
  registered: boolean;
  /** Base64 of the serialized public identity key; set by registration only (see `setKeys`). */
  identityKey: string;
  devices: Map<number, DeviceRecord>;
  nextDeviceId: number;
}

/** What the harness gets back when it creates an account or links a device. */
export interface DeviceCredentials {
  aci: string;
  number: string;
  deviceId: number;
  password: string;
}

/** The scheduling hook the server uses to deliver envelopes as simulation tasks. */
export type Schedule = (label: string, run: () => unknown) => void;

export class SignalServer {
  private accounts = new Map<string, AccountRecord>();
  private byNumber = new Map<string, string>();
  private guidCounter = 0;
  /** Reorder windows being filled: envelopes held, each with its recipient, until the window is full. */
  private reorderWindows = new Map<number, { order: 'reverse' | 'shuffle'; held: Array<{ account: AccountRecord; device: DeviceRecord; envelope: Queued }> }>();

  constructor(
    private readonly clock: Clock,
    private readonly trace: Trace,
    private readonly random: Random,
    private readonly faults: Faults,
    private readonly schedule: Schedule,
    /** Sees every request body and every envelope content the server stores. */
    private readonly wiretap: (bytes: Uint8Array) => void = () => {},
  ) {}

  // ---- admin API (the harness's, not reachable over HTTP) ----

  /**
   * Registers a new account with its primary device (device id 1) and its identity key, which the
   * registration carries in Signal (RegistrationRequest.aciIdentityKey); key uploads cannot change it.
   */
  createAccount(opts: { aci: string; number: string; registrationId: number; identityKey: PublicKey }): DeviceCredentials {
    const existing = this.byNumber.get(opts.number);
    if (existing && this.accounts.get(existing)?.registered) {
      throw new Error(`An account with number ${opts.number} is already registered`);
    }
    const account: AccountRecord = {
      aci: opts.aci,
      number: opts.number,
      registered: true,
      identityKey: toBase64(opts.identityKey.serialize()),
      devices: new Map(),
      nextDeviceId: 1,
    };
    this.accounts.set(opts.aci, account);
    this.byNumber.set(opts.number, opts.aci);
    this.trace.record('server.account-created', { aci: opts.aci, number: opts.number });
    return this.addDevice(opts.aci, opts.registrationId);
  }

  /** Links a further device to an account. */
  addDevice(aci: string, registrationId: number): DeviceCredentials {
    const account = this.requireAccount(aci);
    const device: DeviceRecord = {
      id: account.nextDeviceId++,
      registrationId,
      password: this.newPassword(),
      preKeys: [],
      pqPreKeys: [],
      queue: [],
    };
    account.devices.set(device.id, device);
    this.trace.record('server.device-added', { aci, deviceId: device.id });
    return { aci, number: account.number, deviceId: device.id, password: device.password };
  }

  /**
   * Re-registers one device (a reinstall): new registration id and password, its keys and queue
   * gone. Senders with a session to the old one get 410 until they refresh it.
   */
  reregisterDevice(aci: string, deviceId: number, registrationId: number): DeviceCredentials {
    const account = this.requireAccount(aci);
    const device = account.devices.get(deviceId);
    if (!device) throw new Error(`Account ${aci} has no device ${deviceId}`);
    const fresh: DeviceRecord = { id: deviceId, registrationId, password: this.newPassword(), preKeys: [], pqPreKeys: [], queue: [] };
    account.devices.set(deviceId, fresh);
    this.trace.record('server.device-reregistered', { aci, deviceId });
    return { aci, number: account.number, deviceId, password: fresh.password };
  }

  /**
   * Registers an account again, as Signal does after a reinstall on a new phone: the same ACI and
   * number, but all devices replaced by a new primary device with the new identity key the
   * registration carries (its prekeys to be uploaded). Queued envelopes are gone with the old devices.
   */
  reregisterAccount(aci: string, registrationId: number, identityKey: PublicKey): DeviceCredentials {
    const account = this.requireAccount(aci);
    for (const device of account.devices.values()) device.connection = undefined;
    account.devices.clear();
    account.identityKey = toBase64(identityKey.serialize());
    account.registered = true;
    account.nextDeviceId = 1;
    this.byNumber.set(account.number, aci);
    this.trace.record('server.account-reregistered', { aci });
    return this.addDevice(aci, registrationId);
  }

  /** Removes a linked device; senders that still address it get 409 (extra device). */
  removeDevice(aci: string, deviceId: number): void {
    if (!this.requireAccount(aci).devices.delete(deviceId)) throw new Error(`Account ${aci} has no device ${deviceId}`);
    this.trace.record('server.device-removed', { aci, deviceId });
  }

  /** Unregisters an account: its devices and queues are deleted, sends to it get 404. */
  unregister(aci: string): void {
    const account = this.requireAccount(aci);
    account.registered = false;
    for (const device of account.devices.values()) device.connection = undefined;
    account.devices.clear();
    this.trace.record('server.account-unregistered', { aci });
  }

  /** Opens a device's connection; queued envelopes start flowing to `sink`. */
  connect(aci: string, deviceId: number, password: string, sink: EnvelopeSink): Connection {
    const account = this.accounts.get(aci);
    const device = account?.registered ? account.devices.get(deviceId) : undefined;
    if (!device || device.password !== password) {
      throw new Error(`Connection refused for ${aci}.${deviceId}: unknown device or wrong password`);
    }
    const connection = { sink, sent: new Set<string>(), pumping: false };
    device.connection = connection;
    this.trace.record('server.connected', { device: `${aci}.${deviceId}`, queued: device.queue.length });
    this.pump(account!, device);
    return {
      ack: (guid) => this.ack(account!, device, guid),
      close: () => {
        if (device.connection !== connection) return;
        device.connection = undefined;
        this.trace.record('server.disconnected', { device: `${aci}.${deviceId}` });
      },
    };
  }

  /** How many envelopes wait for a device (harness checks). */
  queued(aci: string, deviceId: number): number {
    return this.accounts.get(aci)?.devices.get(deviceId)?.queue.length ?? 0;
  }

  // ---- operations behind the HTTP routes ----

  /** Checks Basic credentials `aci.deviceId:password`; undefined when they do not match. */
  authenticate(aci: string, deviceId: number, password: string) {
    const account = this.accounts.get(aci);
    if (!account?.registered) return undefined;
    const device = account.devices.get(deviceId);
    if (!device || device.password !== password) return undefined;
    return { account, device };
  }

  recordBody(body: Uint8Array): void {
    this.wiretap(body);
  }

  /**
   * Stores a device's prekeys. As in Signal-Server's KeysController.setKeys, every signed key must
   * verify against the account's identity key (else 422); an upload cannot replace that key, from
   * the primary device or any other: only a registration does (`createAccount`, `reregisterAccount`).
   */
  setKeys(account: AccountRecord, device: DeviceRecord, req: SetKeysRequest): SimResponse {
    const identityKey = PublicKey.deserialize(fromBase64(account.identityKey));
    const signed = [
      ['signedPreKey', req.signedPreKey, 'ec'],
      ...(req.pqPreKeys ?? []).map((k, i) => [`pqPreKeys[${i}]`, k, 'kem'] as const),
      ['pqLastResortPreKey', req.pqLastResortPreKey, 'kem'],
    ] as const;
    // Signal-Server's Jackson mapper reads every key as it binds the body (ECPublicKeyAdapter,
    // KEMPublicKeyAdapter): one that does not parse is JSON it cannot bind, 400, before any check.
    const keys = [...(req.preKeys ?? []).map((k, i) => [`preKeys[${i}]`, k, 'ec'] as const), ...signed];
    for (const [field, key, kind] of keys) {
      if (key && !isPublicKey(key.publicKey, kind)) return error(400, `${field}: not a valid ${kind === 'ec' ? 'EC' : 'Kyber'} public key`);
    }
    // Then KeysController.setKeys checks the signatures against the account's key: 422.
    for (const [field, key] of signed) {
      if (key && !identityKey.verify(fromBase64(key.publicKey), fromBase64(key.signature))) {
        return error(422, `${field}: signature does not verify against the identity key`);
      }
    }
    if (req.signedPreKey) device.signedPreKey = req.signedPreKey;
    if (req.preKeys) device.preKeys = [...req.preKeys];
    if (req.pqPreKeys) device.pqPreKeys = [...req.pqPreKeys];
    if (req.pqLastResortPreKey) device.pqLastResortPreKey = req.pqLastResortPreKey;
    this.trace.record('server.keys-set', {
      device: `${account.aci}.${device.id}`,
      preKeys: device.preKeys.length,
      pqPreKeys: device.pqPreKeys.length,
    });
    return { status: 200 };
  }

  /**
   * How many one-time keys the server holds for a device, as Signal-Server's PreKeyCount says it:
   * `count` EC keys, `pqCount` Kyber keys (the last-resort key is not one of them). Devices
   * refill from it.
   */
  preKeyCounts(device: DeviceRecord): { count: number; pqCount: number } {
    return { count: device.preKeys.length, pqCount: device.pqPreKeys.length };
  }

  /** A prekey bundle per device, consuming one EC and one Kyber one-time key per device. */
  getKeys(aci: string, deviceSpec: string): SimResponse {
    const account = this.accounts.get(aci);
    if (!account?.registered) return error(404, 'No such account');
    let targets: DeviceRecord[];
    if (deviceSpec === '*') {
      targets = [...account.devices.values()];
    } else {
      const device = account.devices.get(Number(deviceSpec));
      targets = device ? [device] : [];
    }
    targets = targets.filter((d) => d.signedPreKey && (d.pqPreKeys.length > 0 || d.pqLastResortPreKey));
    if (targets.length === 0) return error(404, 'No keys for that device');
    const devices: PreKeyResponseItem[] = targets.map((d) => {
      const preKey = d.preKeys.shift();
      const pqPreKey = d.pqPreKeys.shift() ?? d.pqLastResortPreKey!;
      return {
        deviceId: d.id,
        registrationId: d.registrationId,
        ...(preKey ? { preKey: { keyId: preKey.keyId, publicKey: preKey.publicKey } } : {}),
        signedPreKey: d.signedPreKey as Required<StoredKey>,
        pqPreKey: pqPreKey as Required<StoredKey>,
      };
    });
    this.trace.record('server.keys-fetched', { aci, devices: devices.map((d) => d.deviceId) });
    const body: PreKeyResponse = { identityKey: account.identityKey, devices };
    return { status: 200, body };
  }

  accountExists(aci: string): boolean {
    return this.accounts.get(aci)?.registered === true;
  }

  /** Contact discovery: which ACI a phone number belongs to (Signal does this in CDSI). */
  discover(number: string): string | undefined {
    const aci = this.byNumber.get(number);
    return aci && this.accounts.get(aci)?.registered ? aci : undefined;
  }

  sendMessage(
    sender: { account: AccountRecord; device: DeviceRecord },
    destination: string,
    list: IncomingMessageList,
  ): SimResponse {
    const account = this.accounts.get(destination);
    if (!account?.registered) return error(404, 'Destination is not registered');
    for (const [i, m] of list.messages.entries()) {
      if (base64Length(m.content) > MAX_CONTENT_BYTES) {
        return error(413, `messages[${i}].content is over ${MAX_CONTENT_BYTES} bytes`);
      }
    }
    const toSelf = destination === sender.account.aci;
    const expected = [...account.devices.keys()].filter((id) => !(toSelf && id === sender.device.id));
    const addressed = list.messages.map((m) => m.destinationDeviceId);
    const missingDevices = expected.filter((id) => !addressed.includes(id));
    const extraDevices = addressed.filter((id) => !expected.includes(id));
    if (missingDevices.length || extraDevices.length) {
      this.trace.record('server.mismatched-devices', { destination, missingDevices, extraDevices });
      return { status: 409, body: { missingDevices, extraDevices } };
    }
    const staleDevices = list.messages
      .filter((m) => account.devices.get(m.destinationDeviceId)!.registrationId !== m.destinationRegistrationId)
      .map((m) => m.destinationDeviceId);
    if (staleDevices.length) {
      this.trace.record('server.stale-devices', { destination, staleDevices });
      return { status: 410, body: { staleDevices } };
    }
    for (const m of list.messages) {
      const device = account.devices.get(m.destinationDeviceId)!;
      const envelope: Queued = {
        type: m.type,
        sourceServiceId: sender.account.aci,
        sourceDevice: sender.device.id,
        destinationServiceId: destination,
        clientTimestamp: list.timestamp,
        serverTimestamp: this.clock.now(),
        serverGuid: this.newGuid(),
        urgent: list.urgent,
        content: fromBase64(m.content),
        deliverAt: this.clock.now(),
      };
      this.wiretap(envelope.content);
      this.trace.record('server.queued', {
        from: `${sender.account.aci}.${sender.device.id}`,
        to: `${destination}.${device.id}`,
        envelopeType: envelope.type,
        serverGuid: envelope.serverGuid,
        bytes: envelope.content.length,
      });
      const decision = this.faults.onQueued(sender.account.aci, destination, device.id, envelope.serverGuid, envelope.type === EnvelopeType.CIPHERTEXT);
      envelope.deliverAt = decision.deliverAt;
      // Inside the ciphertext, before the MAC at the end: the receiving device must refuse it.
      if (decision.tamper) envelope.content[Math.max(0, envelope.content.length - 12)]! ^= 0x01;
      if (decision.reorder) this.holdForReorder(account, device, envelope, decision.reorder);
      else device.queue.push(envelope);
      this.pump(account, device);
    }
    return { status: 200, body: { needsSync: sender.account.devices.size > 1 } };
  }

  // ---- delivery ----

  /** Schedules delivery of everything queued, deliverable and not yet sent on the device's connection. */
  private pump(account: AccountRecord, device: DeviceRecord): void {
    const connection = device.connection;
    if (!connection || connection.pumping) return;
    connection.pumping = true;
    this.schedule(`delivery to ${account.aci}.${device.id}`, async () => {
      try {
        for (;;) {
          if (device.connection !== connection) return; // went offline meanwhile
          const now = this.clock.now();
          const next = device.queue.find((e) => !connection.sent.has(e.serverGuid) && e.deliverAt <= now);
          if (!next) return this.wakeForDelayed(account, device);
          connection.sent.add(next.serverGuid);
          const to = `${account.aci}.${device.id}`;
          this.trace.record('server.delivered', { to, serverGuid: next.serverGuid });
          const fault = this.faults.onDelivery(next.sourceServiceId, account.aci, device.id, next.serverGuid);
          if (fault === 'drop') continue; // lost on the way: still queued, delivered again on reconnect
          await connection.sink(next);
          if (fault === 'duplicate' && device.connection === connection) {
            this.trace.record('server.delivered', { to, serverGuid: next.serverGuid, duplicate: true });
            await connection.sink(next);
          }
        }
      } finally {
        connection.pumping = false;
      }
    });
  }

  /** Sets a timer for the earliest delayed envelope still waiting for a connected device. */
  private wakeForDelayed(account: AccountRecord, device: DeviceRecord): void {
    const now = this.clock.now();
    const waiting = device.queue.filter((e) => e.deliverAt > now).map((e) => e.deliverAt);
    if (waiting.length === 0) return;
    const at = Math.min(...waiting);
    if (device.wakeAt !== undefined && device.wakeAt <= at) return;
    device.wakeAt = at;
    this.clock.setTimeout(() => {
      if (device.wakeAt === at) device.wakeAt = undefined;
      this.pump(account, device);
    }, at - now);
  }

  /**
   * Holds an envelope in a reorder window; when the window is full, queues its envelopes in the
   * fault's order, each for its own recipient (a window may span several devices).
   */
  private holdForReorder(account: AccountRecord, device: DeviceRecord, envelope: Queued, reorder: { ruleId: number; count: number; order: 'reverse' | 'shuffle' }): void {
    let window = this.reorderWindows.get(reorder.ruleId);
    if (!window) this.reorderWindows.set(reorder.ruleId, (window = { order: reorder.order, held: [] }));
    window.held.push({ account, device, envelope });
    if (window.held.length >= reorder.count) this.releaseWindow(reorder.ruleId);
  }

  /**
   * Releases every reorder window that is not full yet, in its fault's order: the network stops
   * holding messages back (when an exploration plan's faults end; otherwise a window of 3 that
   * only ever saw 2 messages would keep them for ever).
   */
  releaseReorderWindows(): void {
    for (const ruleId of [...this.reorderWindows.keys()]) this.releaseWindow(ruleId);
  }

  private releaseWindow(ruleId: number): void {
    const { order, held } = this.reorderWindows.get(ruleId)!;
    this.reorderWindows.delete(ruleId);
    for (const i of this.faults.releaseOrder(ruleId, held.length, order)) {
      const entry = held[i]!;
      entry.device.queue.push(entry.envelope);
      this.pump(entry.account, entry.device);
    }
  }

  private ack(account: AccountRecord, device: DeviceRecord, serverGuid: string): void {
    if (this.faults.takeLostAck(account.aci, device.id, serverGuid)) return;
    const index = device.queue.findIndex((e) => e.serverGuid === serverGuid);
    if (index < 0) return; // already acknowledged, or the account was unregistered
    device.queue.splice(index, 1);
    this.trace.record('server.acked', { device: `${account.aci}.${device.id}`, serverGuid });
  }

  private requireAccount(aci: string): AccountRecord {
    const account = this.accounts.get(aci);
    if (!account) throw new Error(`No account ${aci} on the simulated server`);
    return account;
  }

  private newGuid(): string {
    // Deterministic (a counter) so traces replay; shaped like a UUID as Signal's are.
    const n = (++this.guidCounter).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }

  private newPassword(): string {
    return Array.from({ length: 4 }, () => this.random.int(0, 0xffffffff).toString(16).padStart(8, '0')).join('');
  }
}

export function error(status: number, message: string, headers?: Record<string, string>): SimResponse {
  return { status, body: { code: status, message }, headers };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function base64Length(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

function isPublicKey(b64: string, kind: 'ec' | 'kem'): boolean {
  try {
    if (kind === 'ec') PublicKey.deserialize(fromBase64(b64));
    else KEMPublicKey.deserialize(fromBase64(b64));
    return true;
  } catch {
    return false;
  }
}
