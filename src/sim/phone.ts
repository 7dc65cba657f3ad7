import type { AppEvent, CredentialApp, SignalAppApi, TransferState } from '../adapter/contract.ts';
import type { VirtualDevice } from './device/device.ts';
import { isAci } from './device/device.ts';
import type { ContractAssertionError } from './failures.ts';

/**
 * How a phone's app-facing API holds the app to the contract: misuse is recorded as a failure of
 * the scenario (even if the app swallows the error thrown at it), and the app's handlers are run
 * so that a throw or a hang names the handler and the phone.
 */
export interface AppBoundary {
  /** Records that the app broke the adapter contract; returns the error to throw at the app. */
  contractViolation(problem: string): ContractAssertionError;
  /** Records that an app handler threw (where there is nobody to throw back to). */
  appThrew(label: string, error: unknown): void;
  /** Runs an app handler under the hang guard; a throw becomes a failure naming `label`. */
  runApp<T>(label: string, run: () => T | Promise<T>): Promise<T>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** What is wrong with a recipient the app named, if anything. */
function recipientProblem(recipient: unknown): string | undefined {
  if (typeof recipient !== 'string') return `the recipient is ${describeValue(recipient)}; it takes an E.164 phone number or an ACI string`;
  if (!E164.test(recipient) && !isAci(recipient)) return `the recipient ${JSON.stringify(recipient)} is neither an E.164 phone number nor an ACI`;
  return undefined;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value)})` : `of type ${typeof value}`;
}

/**
 * A simulated phone: its owner, its Signal device and the credential app on it. The app talks to
 * `signal`, which always reaches the phone's current device: when Signal is registered again on
 * the phone (a new identity key, a new device), the credential app and its state stay.
 */
export class Phone {
  app?: CredentialApp;
  readonly signal: SignalAppApi;
  private handlers: {
    message?: Parameters<SignalAppApi['onMessage']>[0];
    changed?: (aci: string) => void;
    confirmed?: (aci: string) => void | Promise<void>;
  } = {};
  /** Which app runs here, for messages: "the app under test" or "the reference app". */
  appLabel = 'no app';
  /** Everything the app reported, in order: the app's claims, each checked against the devices' records. */
  readonly events: AppEvent[] = [];
  /** The same reports, each with the trace event that recorded it (seq) and its simulated time. */
  readonly reports: Array<{ seq: number; at: number; event: AppEvent }> = [];
  /**
   * Every Signal device this phone has had, oldest first, the current one last. Signal registered
   * again (a reinstall) brings a new device; what the earlier ones sent and received still counts.
   */
  readonly devices: VirtualDevice[];

  constructor(
    readonly owner: string,
    public device: VirtualDevice,
    /** "phone", "tablet"...: what this device is to its owner. */
    readonly kind = 'phone',
    boundary?: AppBoundary,
  ) {
    this.devices = [device];
    const phone = this;
    const check = (method: string, problem: string | undefined) => {
      if (problem && boundary) throw boundary.contractViolation(`signal.${method}: ${problem}`);
    };
    const handlerCheck = (method: string, handler: unknown) =>
      check(method, typeof handler === 'function' ? undefined : `the handler is ${describeValue(handler)}, not a function`);
    this.signal = {
      get self() {
        return phone.device.api.self;
      },
      lookup: async (recipient) => {
        check('lookup()', recipientProblem(recipient));
        return this.device.api.lookup(recipient);
      },
      send: async (recipient, bytes) => {
        check('send()', recipientProblem(recipient));
        check('send()', bytes instanceof Uint8Array ? undefined : `the bytes are ${describeValue(bytes)}; it takes a Uint8Array`);
        return this.device.api.send(recipient, bytes);
      },
      onMessage: (handler) => {
        handlerCheck('onMessage()', handler);
        this.handlers.message = handler;
        this.device.api.onMessage(handler);
      },
      onIdentityChanged: (handler) => {
        handlerCheck('onIdentityChanged()', handler);
        // Called from inside the device's key store: a throw there must not break the crypto.
        const guarded = (aci: string) => {
          try {
            const result = handler(aci) as unknown;
            if (result instanceof Promise) result.catch((e: unknown) => boundary?.appThrew(`the identity-changed handler on ${this.name}`, e));
          } catch (e) {
            boundary?.appThrew(`the identity-changed handler on ${this.name}`, e);
          }
        };
        this.handlers.changed = guarded;
        this.device.api.onIdentityChanged(guarded);
      },
      onIdentityConfirmed: (handler) => {
        handlerCheck('onIdentityConfirmed()', handler);
        const guarded = (aci: string) =>
          boundary ? boundary.runApp(`the identity-confirmed handler of the credential app on ${this.name}`, () => handler(aci)) : handler(aci);
        this.handlers.confirmed = guarded;
        this.device.api.onIdentityConfirmed(guarded);
      },
    };
  }

  get name(): string {
    return `${this.owner}'s ${this.kind}`;
  }

  /** Signal registered again on this phone: the app's handlers move to the new device. */
  replaceDevice(device: VirtualDevice): void {
    this.device.goOffline();
    this.device = device;
    this.devices.push(device);
    if (this.handlers.message) device.api.onMessage(this.handlers.message);
    if (this.handlers.changed) device.api.onIdentityChanged(this.handlers.changed);
    if (this.handlers.confirmed) device.api.onIdentityConfirmed(this.handlers.confirmed);
  }

  /** The harness plays this phone from now on: its device still takes messages, its credential app gets none of them. */
  bypassApp(): void {
    this.handlers.message = undefined;
    this.device.detachApp();
  }

  /** The credentials this phone's app reported provisioned (optionally for one transfer). */
  provisioned(transferId?: string) {
    return this.events.filter(
      (e): e is Extract<AppEvent, { type: 'provisioned' }> =>
        e.type === 'provisioned' && (transferId === undefined || e.transferId === transferId),
    );
  }

  /** The transfer reports for one transfer, in order. */
  transferReports(transferId: string) {
    return this.events.filter(
      (e): e is Extract<AppEvent, { type: 'transfer' }> => e.type === 'transfer' && e.transferId === transferId,
    );
  }

  /** Protocol violations this phone's app reported about its peers. */
  violations() {
    return this.events.filter((e): e is Extract<AppEvent, { type: 'violation' }> => e.type === 'violation');
  }

  /** The last state the app reported for a transfer. */
  stateOf(transferId: string): TransferState | undefined {
    return this.transferReports(transferId).at(-1)?.state;
  }
}
