/**
 * One simulated world for one scenario: the virtual clock and scheduler, the trace, the fault
 * plan, a Signal server its devices reach through a transport (msw or direct), and the phones
 * (a virtual device, and the credential app under test on it). Steps drive it; it holds no
 * protocol logic of the credential apps.
 */
import type { AppEvent, CredentialApp, ShareRequest } from '../adapter/contract.ts';
import { reportProblem, shareResultProblem } from '../adapter/checks.ts';
import { Phone, describeValue, type AppBoundary } from './phone.ts';

export { Phone } from './phone.ts';
import { checkApp, type LoadedAdapter } from '../adapter/load.ts';
import { decode, describe as describeMessage, type ProtocolMessage } from '../protocol/messages.ts';
import { FakeData } from '../fakes/data.ts';
import { VirtualClock, simulationEpoch, type Clock, type TimerId } from './clock.ts';
import { PlaintextObserver } from './confidentiality.ts';
import { VirtualDevice } from './device/device.ts';
import { Faults } from './faults.ts';
import { createRandom, hashString, type Random } from './random.ts';
import { DEFAULT_HANG_MS, Scheduler } from './scheduler.ts';
import { AppAssertionError, ContractAssertionError, describeError, threw } from './failures.ts';
import { SignalServer, type DeviceCredentials } from './server/server.ts';
import { IdentityKeyPair, type PublicKey } from '@signalapp/libsignal-client';
import { Trace, type TraceEvent } from './trace.ts';
import { asText, deepFreeze, jsonCopy } from './json-safe.ts';
import { MswTransport, createTransport, mount, runTransport, type Transport, type TransportName } from './transport/index.ts';

/** How far ahead "the network is quiet" looks for work: longer than any retry backoff. */
export const QUIET_HORIZON_MS = 10 * 60_000;

/** How long past the last expiration the aftermath runs: a daily job has run once by then. */
export const AFTERMATH_MS = 24 * 60 * 60_000;

export interface SimulationOptions {
  /** The run's seed; the scenario's own stream is derived from it and `name`. */
  seed: number;
  /** The scenario's name (its seed stream, and messages). */
  name?: string;
  /** Real milliseconds before a hanging app call or task is reported. */
  hangMs?: number;
  /** Where simulated time starts (ms since the Unix epoch); default: the seed's, simulationEpoch(seed). */
  start?: number;
  /** How the devices reach the server; default: the run's (SCT_TRANSPORT, else DEFAULT_TRANSPORT). Traces are the same with either. */
  transport?: TransportName;
}

export class Simulation {
  readonly seed: number;
  readonly clock: VirtualClock;
  readonly trace: Trace;
  readonly faults: Faults;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly data: FakeData;
  readonly server: SignalServer;
  private readonly phones = new Map<string, Phone>();
  /** Further devices of people (a tablet), by name: "Bob's tablet". */
  private readonly otherDevices = new Map<string, Phone>();
  /** Every share a user asked an app for, with the transfer id the app gave it (the monitor's starting point). */
  readonly shares: Array<{ phone: Phone; request: ShareRequest; transferId: string; seq: number }> = [];
  /** Watches the server for the provisioning information of every share. */
  readonly plaintext = new PlaintextObserver();
  /** How this simulation's devices reach its server. */
  readonly transport: Transport;
  /** The msw mount serving raw HTTP requests (`baseUrl`), made on first use. */
  private raw?: { baseUrl: string; unmount: () => void };
  /** Set when the scenario itself sends broken or forged messages: violations are then expected. */
  private violationsExpected = false;

  constructor(opts: SimulationOptions) {
    this.seed = opts.seed;
    this.clock = new VirtualClock(opts.start ?? simulationEpoch(opts.seed));
    this.trace = new Trace(this.clock);
    this.random = createRandom(hashString(opts.name ?? '', opts.seed));
    this.data = new FakeData(this.random.int(0, 0xffffffff));
    this.scheduler = new Scheduler(this.clock, this.trace, opts.hangMs ?? DEFAULT_HANG_MS);
    this.faults = new Faults(this.trace, this.clock, this.random.fork('faults'));
    this.server = new SignalServer(
      this.clock,
      this.trace,
      this.random.fork('server'),
      this.faults,
      (label, run) => this.scheduler.schedule(label, run),
      (bytes) => this.plaintext.observe(bytes),
    );
    this.transport = createTransport(opts.transport ?? runTransport(), this.server, this.faults);
  }

  /**
   * Where this simulation's server answers real HTTP (through msw, with its network's faults),
   * for raw requests a test makes with `fetch`; whatever transport the devices use.
   */
  get baseUrl(): string {
    if (this.transport instanceof MswTransport) return this.transport.baseUrl;
    this.raw ??= mount(this.server, this.faults);
    return this.raw.baseUrl;
  }

  /** Registers a Signal account for `owner` with one phone, its keys uploaded, online. */
  async addPhone(owner: string): Promise<Phone> {
    if (this.phones.has(owner)) throw new Error(`${owner} already has a phone in this scenario`);
    const number = this.data.phoneNumber();
    const device = await this.newDevice(`${owner}'s phone`, (registrationId, identityKey) =>
      this.server.createAccount({ aci: this.data.uuid(), number, registrationId, identityKey }),
    );
    const phone: Phone = new Phone(owner, device, 'phone', this.boundaryFor(() => phone));
    this.phones.set(owner, phone);
    this.trace.record('sim.phone-added', { owner, aci: device.aci, number: device.number });
    return phone;
  }

  /**
   * A virtual device with a new registration id, registered on the server by `register` (create
   * an account, link a device, re-register...), its keys uploaded, online. A linked or
   * re-registered linked device shares the account's `identity`; otherwise it makes its own,
   * whose public key `register` gets: an account's registration carries it, as in Signal.
   */
  async newDevice(
    name: string,
    register: (registrationId: number, identityKey: PublicKey) => DeviceCredentials,
    identity: IdentityKeyPair = IdentityKeyPair.generate(),
  ): Promise<VirtualDevice> {
    const registrationId = this.data.registrationId();
    const credentials = register(registrationId, identity.publicKey);
    const device = new VirtualDevice({
      name,
      server: this.server,
      transport: this.transport,
      clock: this.clock,
      trace: this.trace,
      credentials,
      registrationId,
      identity,
      describe: describeMessage,
      schedule: (label, run) => this.scheduler.schedule(label, run),
      runHandler: (label, run) => this.scheduler.guard(label, run),
      onAppError: (message) => this.scheduler.fail(message),
      onHarnessError: (message) => this.scheduler.harnessFail(message),
    });
    await device.uploadKeys();
    device.goOnline();
    return device;
  }

  /** Installs a credential app on a phone, through the adapter's factory. */
  async installApp(phone: Phone, adapter: LoadedAdapter, label = 'the app under test'): Promise<CredentialApp> {
    phone.appLabel = label;
    const random = this.random.fork(`app:${phone.name}`);
    const created = await this.scheduler.guard(`the adapter factory of "${adapter.spec}" for ${phone.name}`, () =>
      adapter.factory({
        signal: phone.signal,
        clock: this.appClock(phone),
        random: () => random.next(),
        // The app's words go under keys of their own: they can never pose as a harness event.
        log: (message, detail) =>
          this.trace.record('app.log', { phone: phone.owner, message: asText(message), ...(detail === undefined ? {} : { detail: jsonCopy(detail) }) }),
        report: (event) => this.report(phone, event),
      }, { phone: phone.name, seed: random.seed, fail: (message) => this.scheduler.fail(message) }),
    );
    try {
      phone.app = checkApp(created, adapter.spec);
    } catch (error) {
      // What the factory returned does not fit the contract: the app's to fix (exit 1), not the harness's.
      throw new ContractAssertionError(error instanceof Error ? error.message : String(error));
    }
    return phone.app;
  }

  /**
   * Links another device (a tablet) to someone's account; it shares the account's identity key.
   * It gets a credential app only if `installApp` is called for it.
   */
  async linkDevice(owner: string, kind: string): Promise<Phone> {
    const primary = this.phone(owner);
    const device = await this.newDevice(
      `${owner}'s ${kind}`,
      (registrationId) => this.server.addDevice(primary.device.aci, registrationId),
      primary.device.identity,
    );
    const phone: Phone = new Phone(owner, device, kind, this.boundaryFor(() => phone));
    this.otherDevices.set(phone.name, phone);
    return phone;
  }

  /** Every phone and linked device of the scenario, phones first. */
  allPhones(): Phone[] {
    return [...this.phones.values(), ...this.otherDevices.values()];
  }

  /** All of someone's devices: the phone first, then linked ones. */
  devicesOf(owner: string): Phone[] {
    return [this.phone(owner), ...[...this.otherDevices.values()].filter((p) => p.owner === owner)];
  }

  /** Someone's phone or other device, by its name ("Bob's tablet"). */
  device(name: string): Phone {
    const phone = [...this.phones.values(), ...this.otherDevices.values()].find((p) => p.name === name);
    if (!phone) throw new Error(`No device called ${name} in this scenario`);
    return phone;
  }

  /**
   * Signal is registered again on someone's phone (a reinstall): same account and number, a new
   * device with a new identity key. The credential app on the phone keeps its state.
   */
  async reregister(owner: string): Promise<void> {
    const phone = this.phone(owner);
    phone.replaceDevice(await this.newDevice(phone.name, (id, identityKey) => this.server.reregisterAccount(phone.device.aci, id, identityKey)));
  }

  /** A linked device is removed from its account: senders that still address it meet 409. */
  unlinkDevice(name: string): void {
    const phone = this.device(name);
    phone.device.goOffline();
    this.server.removeDevice(phone.device.aci, phone.device.deviceId);
    this.otherDevices.delete(name);
  }

  /** One linked device registers again (a reinstall on the tablet): senders meet 410 once. */
  async reregisterDevice(name: string): Promise<void> {
    const phone = this.device(name);
    const { device } = phone;
    phone.replaceDevice(
      await this.newDevice(name, (id) => this.server.reregisterDevice(device.aci, device.deviceId, id), device.identity),
    );
  }

  /** Someone's Signal account is deleted: its devices and everything queued for them are gone. */
  unregister(owner: string): void {
    const phone = this.phone(owner);
    phone.device.goOffline();
    this.server.unregister(phone.device.aci);
  }

  /** Someone registers on Signal again after deleting their account: a new account, same number. */
  async registerAgain(owner: string): Promise<void> {
    const phone = this.phone(owner);
    const { number } = phone.device;
    phone.replaceDevice(await this.newDevice(phone.name, (id, identityKey) => this.server.createAccount({ aci: this.data.uuid(), number, registrationId: id, identityKey })));
  }

  /** The scenario sends malformed or forged messages on purpose: apps reporting them is expected. */
  expectViolations(): void {
    this.violationsExpected = true;
  }

  /** The phone of an account, if it is one of this scenario's. */
  phoneOf(aci: string): Phone | undefined {
    return [...this.phones.values(), ...this.otherDevices.values()].find((phone) => phone.device.aci === aci);
  }

  phone(owner: string): Phone {
    const phone = this.phones.get(owner);
    if (!phone) {
      const known = [...this.phones.keys()].join(', ') || 'none yet';
      throw new Error(`${owner} has no phone in this scenario (phones: ${known})`);
    }
    return phone;
  }

  /** Asks a phone's app to share; records the secret so the server can be checked for it. */
  async share(phone: Phone, request: ShareRequest): Promise<string> {
    this.plaintext.addSecret(request.provisioningInformation);
    const app = this.appOf(phone);
    this.trace.record('sim.share', { phone: phone.owner, format: request.format, flow: request.flow });
    const result: unknown = await this.callApp(phone, 'share()', () => app.share(request));
    const problem = shareResultProblem(result);
    if (problem) {
      const error = this.contractViolation(phone, `share(): ${problem}`);
      this.scheduler.surfacedElsewhere(error.message);
      throw error;
    }
    const { transferId } = result as { transferId: string };
    // What the app says the share is called: its claim, recorded as such; evidence comes from the devices.
    const started = this.trace.record('app.share-started', { phone: phone.owner, transferId });
    this.shares.push({ phone, request, transferId, seq: started.seq });
    return transferId;
  }

  async cancel(phone: Phone, transferId: string): Promise<void> {
    const app = this.appOf(phone);
    // The user's act, recorded: from now on the app must send nothing more of this share onwards.
    this.trace.record('sim.cancel', { phone: phone.owner, device: phone.device.label, transferId });
    await this.callApp(phone, 'cancel()', () => app.cancel(transferId));
  }

  /** Sends raw bytes from a phone's Signal device, bypassing its app (scripted peers). */
  async sendRaw(phone: Phone, recipient: Phone, bytes: Uint8Array, secret?: string): Promise<void> {
    if (secret) this.plaintext.addSecret(secret);
    await phone.device.send(recipient.device.aci, bytes, 'harness');
  }

  /**
   * The harness plays a phone from now on (a scripted peer), bypassing its credential app: the
   * phone's device still receives, decrypts and acknowledges, and the app hears nothing more.
   */
  bypassApp(phone: Phone): void {
    phone.bypassApp();
    this.trace.record('sim.app-bypassed', { phone: phone.name });
  }

  /** Runs everything pending at the current instant; throws if anything failed on the way. */
  async settle(): Promise<void> {
    await this.scheduler.runUntilQuiet();
    this.scheduler.throwIfFailed();
  }

  /**
   * Lets simulated time run on, timer by timer, until nothing is due within `horizonMs`:
   * retries, delayed deliveries and redeliveries play out; longer timers (expirations, a
   * receiver's re-requests, which may come hours apart) are left for an explicit "N hours pass".
   */
  async quiet(horizonMs = QUIET_HORIZON_MS): Promise<void> {
    await this.scheduler.runUntilQuiet();
    for (let next = this.clock.nextTimerAt(); next !== undefined && next - this.clock.now() <= horizonMs; next = this.clock.nextTimerAt()) {
      await this.scheduler.advance(next - this.clock.now());
    }
    this.scheduler.throwIfFailed();
  }

  /**
   * The aftermath of a story: simulated time runs on, the world as the story left it, to a day
   * past the latest expiration any protocol message carried (a day past now if none did). What
   * an app does late (a job left scheduled, a retry never cancelled, a held message released)
   * lands in the trace the protocol monitor judges: a safety rule holds for ever, not only until
   * a scenario's last step.
   */
  async aftermath(): Promise<void> {
    const expirations = this.allPhones()
      .flatMap((phone) => phone.devices.flatMap((device) => device.plaintexts))
      .map((p) => decode(p.bytes))
      .flatMap((d) => (d.ok && 'expiration' in d.message ? [Date.parse(String(d.message.expiration))] : []))
      .filter((t) => Number.isFinite(t));
    const from = this.clock.now();
    const until = Math.max(from, ...expirations) + AFTERMATH_MS;
    this.trace.record('sim.aftermath', { from: new Date(from).toISOString(), until: new Date(until).toISOString() });
    await this.advance(until - from);
  }

  /** Lets `ms` of simulated time pass, firing timers in order. */
  async advance(ms: number): Promise<void> {
    await this.scheduler.advance(ms);
    this.scheduler.throwIfFailed();
  }

  /**
   * Protocol messages one phone's devices (every device it has had) got the server to accept for
   * another phone's account(s), as the trace describes them (type, ids, status, reason),
   * optionally of one type.
   */
  sentMessages(from: Phone, to: Phone, type?: string): TraceEvent[] {
    const labels = new Set(from.devices.map((d) => d.label));
    const accounts = new Set(to.devices.map((d) => d.aci));
    return this.trace.find(
      'device.sent',
      (e) => labels.has(String(e.device)) && accounts.has(String(e.to)) && e.httpStatus === 200 && (!type || e.message === type),
    );
  }

  /**
   * Protocol messages a phone's devices (every device it has had) sent or received for one
   * transfer, decoded (the harness reads them as the phone's Signal app sees them), optionally
   * of one type.
   */
  protocolMessages<T extends ProtocolMessage['type']>(
    phone: Phone,
    direction: 'sent' | 'received',
    transferId: string,
    type?: T,
  ): Array<Extract<ProtocolMessage, { type: T }>> {
    return phone.devices
      .flatMap((device) => device.plaintexts)
      .filter((p) => p.direction === direction)
      .map((p) => decode(p.bytes))
      .flatMap((d) => (d.ok ? [d.message] : []))
      .filter((m): m is Extract<ProtocolMessage, { type: T }> => m.transferId === transferId && (!type || m.type === type));
  }

  /** Messages a phone's devices decrypted and handed to its app, optionally of one type. */
  receivedMessages(phone: Phone, type?: string): TraceEvent[] {
    const labels = new Set(phone.devices.map((d) => d.label));
    return this.trace.find('device.received', (e) => labels.has(String(e.device)) && (!type || e.message === type));
  }

  /** How often the server pushed each envelope that carried a message of `type` to a phone. */
  deliveryCounts(phone: Phone, type: string): number[] {
    const guids = new Set(this.receivedMessages(phone, type).map((e) => e.serverGuid));
    return [...guids].map(
      (guid) => this.trace.find('server.delivered', (e) => e.to === phone.device.label && e.serverGuid === guid).length,
    );
  }

  /** Secrets found in the clear in anything the server received or stored. */
  plaintextLeaks(): string[] {
    return this.plaintext.leaks();
  }

  async dispose(): Promise<void> {
    for (const phone of [...this.phones.values(), ...this.otherDevices.values()]) {
      const app = phone.app;
      if (app?.stop) {
        await this.callApp(phone, 'stop()', () => app.stop!()).catch((e) => this.scheduler.fail(describeError(e)));
      }
      phone.device.goOffline();
    }
    this.transport.close();
    this.raw?.unmount();
  }

  private appOf(phone: Phone): CredentialApp {
    if (!phone.app) throw new Error(`${phone.name} has no credential app installed`);
    return phone.app;
  }

  /** Calls into the app under test: a throw or a hang becomes a failure naming the call. */
  private async callApp<T>(phone: Phone, call: string, run: () => Promise<T> | T): Promise<T> {
    try {
      return await this.scheduler.guard(`${call} of the credential app on ${phone.name}`, run);
    } catch (error) {
      if (error instanceof AppAssertionError) {
        this.scheduler.surfacedElsewhere(error.message); // recorded too (a contract error): fail once
        throw error;
      }
      throw new AppAssertionError(threw(`${call} of the credential app on ${phone.name}`, error));
    }
  }

  /**
   * Records that the app on a phone broke the adapter contract (the scenario fails even if the app
   * swallows the error) and returns the error to throw at it.
   */
  private contractViolation(phone: Phone, problem: string): ContractAssertionError {
    const message = `the credential app on ${phone.name} (${phone.appLabel}) broke the adapter contract: ${problem}`;
    this.scheduler.fail(message);
    return new ContractAssertionError(message);
  }

  /** The contract boundary of a phone's app-facing API (see Phone). */
  private boundaryFor(phone: () => Phone): AppBoundary {
    return {
      contractViolation: (problem) => this.contractViolation(phone(), problem),
      appThrew: (label, error) => this.scheduler.fail(threw(label, error)),
      runApp: async (label, run) => {
        try {
          return await this.scheduler.guard(label, run);
        } catch (error) {
          throw error instanceof AppAssertionError ? error : new AppAssertionError(threw(label, error));
        }
      },
    };
  }

  /**
   * The clock an app is given: now() and timers on simulated time, nothing more (it cannot move
   * time). The app's timers are checked at the boundary and run so that a throw or a hang names
   * them; delays are rounded up to whole milliseconds (see Clock).
   */
  private appClock(phone: Phone): Clock {
    const own = new Set<TimerId>();
    return Object.freeze({
      now: () => this.clock.now(),
      setTimeout: (callback: () => void | Promise<void>, ms: number) => {
        if (typeof callback !== 'function') throw this.contractViolation(phone, `clock.setTimeout(): the callback is ${describeValue(callback)}, not a function`);
        if (typeof ms !== 'number' || Number.isNaN(ms)) throw this.contractViolation(phone, `clock.setTimeout(): the delay is ${describeValue(ms)}, not a number of milliseconds`);
        const label = `a timer the credential app on ${phone.name} set`;
        const id = this.clock.setTimeout(async () => {
          own.delete(id);
          try {
            await this.scheduler.guard(label, callback);
          } catch (error) {
            this.scheduler.fail(error instanceof AppAssertionError ? error.message : threw(label, error));
          }
        }, ms);
        own.add(id);
        return id;
      },
      // Only the app's own timers: never the server's deliveries or another phone's.
      clearTimeout: (id: TimerId) => {
        if (own.delete(id)) this.clock.clearTimeout(id);
      },
    });
  }

  private report(phone: Phone, reported: AppEvent): void {
    // A frozen copy: the app cannot change a report after the harness checked or counted it.
    const event = deepFreeze(jsonCopy(reported)) as AppEvent;
    const problem = reportProblem(event);
    if (problem) {
      this.contractViolation(phone, `report(): ${problem} (${safeStringify(event)})`);
      return;
    }
    phone.events.push(event);
    // Nested under `event`, never spread: a report cannot pose as a harness event. Secrets stay out.
    const { provisioningInformation: _secret, ...visible } = event as Record<string, unknown>;
    const recorded = this.trace.record('app.event', { phone: phone.owner, event: visible });
    phone.reports.push({ seq: recorded.seq, at: this.clock.now(), event });
    if (event.type === 'violation' && !this.violationsExpected) {
      const peer = this.phoneOf(event.from);
      const who = peer ? `${peer.name} (${peer.appLabel})` : `account ${event.from}`;
      this.scheduler.fail(`${phone.name} (${phone.appLabel}) reports that ${who} broke ${event.requirement}: ${event.problem}`);
    }
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
