import type { AppEvent, CredentialApp, SignalAppApi, TransferState } from '../adapter/contract.ts';
import type { VirtualDevice } from './device/device.ts';

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
  ) {
    this.devices = [device];
    const phone = this;
    this.signal = {
      get self() {
        return phone.device.api.self;
      },
      lookup: (recipient) => this.device.api.lookup(recipient),
      send: (recipient, bytes) => this.device.api.send(recipient, bytes),
      onMessage: (handler) => {
        this.handlers.message = handler;
        this.device.api.onMessage(handler);
      },
      onIdentityChanged: (handler) => {
        this.handlers.changed = handler;
        this.device.api.onIdentityChanged(handler);
      },
      onIdentityConfirmed: (handler) => {
        this.handlers.confirmed = handler;
        this.device.api.onIdentityConfirmed(handler);
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
