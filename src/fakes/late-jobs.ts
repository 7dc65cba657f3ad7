/**
 * What the faulty apps with a late job (src/fakes/faulty/, the monitor-only ones) build on: a
 * copy of an app's context that tells the job what the reference app reports, sends and
 * receives, so a job can be added from outside the reference app, as an implementer would bolt a
 * background job (Android WorkManager, iOS BGTaskScheduler) onto a working app.
 *
 * The jobs run hours after what set them (LATE_JOB_MS): after every scripted step of the
 * stories that show them, in the aftermath (src/sim/simulation.ts), where only the protocol
 * monitor looks.
 */
import type { AppEvent, CredentialApp, CredentialAppContext, IncomingMessage, ShareRequest, SignalAppApi, TransferState } from '../adapter/contract.ts';
import { decode, type ProtocolMessage } from '../protocol/messages.ts';

/** When the late jobs run: 12 hours after what scheduled them. */
export const LATE_JOB_MS = 12 * 3_600_000;

export interface Watchers {
  /** Each report the app makes, after the harness got it. */
  report?: (event: AppEvent) => void;
  /** Each protocol message the app gets the server to accept. */
  sent?: (to: string, message: ProtocolMessage, bytes: Uint8Array) => void;
  /** Each send the server or the network refused, with the error the app is about to get. */
  failed?: (to: string, bytes: Uint8Array, error: unknown) => void;
  /** Each protocol message before the app handles it. */
  received?: (message: ProtocolMessage, from: IncomingMessage['from']) => void;
}

/** The context to hand the app: the given one, with what the app does shown to the watchers. */
export function watched(ctx: CredentialAppContext, watchers: Watchers): CredentialAppContext {
  const inner = ctx.signal;
  const signal: SignalAppApi = {
    get self() {
      return inner.self;
    },
    lookup: (recipient) => inner.lookup(recipient),
    send: async (recipient, bytes) => {
      const receipt = await inner.send(recipient, bytes).catch((error: unknown) => {
        watchers.failed?.(recipient, bytes, error);
        throw error;
      });
      const decoded = decode(bytes);
      if (decoded.ok) watchers.sent?.(receipt.to, decoded.message, bytes);
      return receipt;
    },
    onMessage: (handler) =>
      inner.onMessage((m) => {
        const decoded = decode(m.bytes);
        if (decoded.ok) watchers.received?.(decoded.message, m.from);
        return handler(m);
      }),
    onIdentityChanged: (handler) => inner.onIdentityChanged(handler),
    onIdentityConfirmed: (handler) => inner.onIdentityConfirmed(handler),
  };
  const report = (event: AppEvent) => {
    ctx.report(event);
    watchers.report?.(event);
  };
  return { ...ctx, signal, report };
}

/** The last state an app reported for each of its transfers in one role, from its reports. */
export class ReportedStates {
  private readonly states = new Map<string, TransferState>();
  private readonly provisioned = new Set<string>();

  constructor(private readonly role: 'sender' | 'receiver') {}

  /** Feed it every report. */
  readonly see = (event: AppEvent): void => {
    if (event.type === 'provisioned') this.provisioned.add(event.transferId);
    if (event.type === 'transfer' && event.role === this.role) this.states.set(event.transferId, event.state);
  };

  state(transferId: string): TransferState | undefined {
    return this.states.get(transferId);
  }

  hasProvisioned(transferId: string): boolean {
    return this.provisioned.has(transferId);
  }
}

/** The app, with `job` run LATE_JOB_MS after each share it starts: a background job per share. */
export function afterEachShare(app: CredentialApp, ctx: CredentialAppContext, job: (transferId: string, request: ShareRequest) => Promise<void>): CredentialApp {
  return {
    ...app,
    async share(request: ShareRequest) {
      const shared = await app.share(request);
      ctx.clock.setTimeout(() => job(shared.transferId, request), LATE_JOB_MS);
      return shared;
    },
  };
}
