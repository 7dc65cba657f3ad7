/**
 * The sender's state machine, one instance per share (docs/protocol.md, "Sender"). Pure: it
 * updates the transfer and returns effects.
 */
import type { KeyPair } from '../../protocol/signing.ts';
import { signKeyImport } from '../../protocol/signing.ts';
import {
  PROTOCOL_VERSION,
  type KeyImportRequest,
  type KeySigningRequest,
  type ShareCancel,
  type ShareInvitation,
  type TransferComplete,
} from '../../protocol/messages.ts';
import type { FailureReason, Flow } from '../../adapter/contract.ts';
import type { Effect, MachineDeps } from './effects.ts';

export type SenderState = 'sending' | 'invited' | 'package-sent' | 'completed' | 'failed' | 'declined' | 'cancelled';
const FINAL: SenderState[] = ['completed', 'failed', 'declined', 'cancelled'];

export interface SenderTransfer {
  transferId: string;
  /** The ACI the invitation went to: the only account whose answers count. */
  recipientAci: string;
  flow: Flow;
  expiresAt: number;
  /** Stateful: the credential data the final package carries. */
  credentialData: string;
  /** Stateful: the credential key that signs receiver keys (its public half was in the invitation). */
  credentialKey?: KeyPair;
  state: SenderState;
  /** The invitation as sent (faulty apps rebuild messages or reports from it). */
  invitation?: ShareInvitation;
  /** Stateful: the one final package of this transfer, sent again verbatim if asked again. */
  finalPackage?: KeyImportRequest;
  /** Stateful: the receiving device the transfer is bound to (the first to ask for a signature). */
  boundDevice?: number;
  /**
   * Stateful: attempts to send the final package that may have reached the receiver (made, and not
   * refused for a new safety number before leaving the phone). A `provisioned` answer while there
   * are none cannot be true.
   */
  packageAttempts?: number;
}

export type SenderEvent =
  /** The server accepted the invitation (perhaps after retries). */
  | { type: 'invitation-sent' }
  /** The server accepted the final package (only a faulty app acts on it: completesOnPackageSent). */
  | { type: 'package-accepted' }
  /** A message of this share could not be sent (retries spent, or a final error such as 404). */
  | { type: 'send-failed'; reason: FailureReason; detail: string }
  | { type: 'key-signing-request'; message: KeySigningRequest; fromDevice: number; now: number }
  | { type: 'transfer-complete'; message: TransferComplete; fromDevice: number }
  | { type: 'cancel' }
  /** The share's expiration came; `holding`: a message of it is held for a new safety number. */
  | { type: 'expired'; holding: boolean };

export interface SenderFlaws {
  /** Signs a new package for every signing request instead of resending the one it sent. */
  signsEveryRequest?: boolean;
  /** Binds the share to no device: signs a package for every device that asks. */
  bindsNoDevice?: boolean;
  /** Reports a stateful share `completed` once the server accepted its final package, without waiting for the receiver's answer. */
  completesOnPackageSent?: boolean;
  /**
   * Answers a repeated signing request with the final package rebuilt under its first message id
   * from the stored invitation, whose provisioning information (in the stateful flow, only the
   * key-type request) it sends as the credential data.
   */
  rebuildsRepeatedPackage?: boolean;
  /** Sends a new ShareCancel, with a new message id, whenever the receiver writes about a share it cancelled. */
  resendsCancelWithNewId?: boolean;
  /** When the receiver answers `provisioned`, reports the credential provisioned on its own phone too, as a receipt. */
  reportsPeerProvisioned?: boolean;
  /** Answers a signing request whatever the share's flow: a stateless share's credential goes out in a final package too. */
  signsStatelessShares?: boolean;
  /** Takes a `provisioned` answer to a stateful share as completion even before any final package was sent. */
  completesWithoutPackage?: boolean;
  /** Keeps acting on messages after the share ended (completed, failed, declined): a late request gets the package again, a late answer changes the outcome. */
  reopensEndedShares?: boolean;
  /** Still signs a signing request that arrives at the very instant of the expiration (an off-by-one: `>` for `>=`). */
  signsAtExpiry?: boolean;
  /** Answers only the first signing request: a request sent again after the final package was lost gets nothing. */
  answersFirstRequestOnly?: boolean;
  /** Ends every share still waiting for its receiver's answer `failed` / `expired` at the expiration, though the receiver may have provisioned it in time. */
  expiresUnansweredShares?: boolean;
}

export function senderStep(t: SenderTransfer, event: SenderEvent, deps: MachineDeps, flaws: SenderFlaws = {}): Effect[] {
  if (FINAL.includes(t.state) && !(flaws.reopensEndedShares && t.state !== 'cancelled')) {
    if (flaws.resendsCancelWithNewId && t.state === 'cancelled' && (event.type === 'key-signing-request' || event.type === 'transfer-complete')) {
      return [{ kind: 'send', message: cancelOf(t, deps) }];
    }
    // Stryker disable next-line all: an `ignore` effect only writes an app log line (app.ts, apply)
    return [{ kind: 'ignore', why: `${event.type} after the share ended (${t.state})` }];
  }
  switch (event.type) {
    case 'invitation-sent':
      // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
      if (t.state !== 'sending') return [{ kind: 'ignore', why: `invitation accepted while ${t.state}` }];
      t.state = 'invited';
      return [{ kind: 'state', state: 'invited' }];
    // Stryker disable all: only the faulty app completes-on-package-sent gets this event
    case 'package-accepted':
      if (!flaws.completesOnPackageSent || t.state !== 'package-sent') return [{ kind: 'ignore', why: `final package accepted while ${t.state}` }];
      t.state = 'completed';
      return [{ kind: 'state', state: 'completed' }];
    // Stryker restore all
    case 'send-failed':
      t.state = 'failed';
      return [{ kind: 'state', state: 'failed', reason: event.reason, detail: event.detail }];
    case 'expired':
      // D3 (docs/protocol.md): an invitation the server never took, or a message held or waiting,
      // can no longer be of use; a share the receiver has had waits for its answer.
      if (t.state !== 'sending' && !event.holding && !flaws.expiresUnansweredShares) return [{ kind: 'ignore', why: `expiration while ${t.state}: the receiver answers` }];
      t.state = 'failed';
      return [{ kind: 'state', state: 'failed', reason: 'expired', detail: 'the expiration came before the share could reach the receiver' }];
    case 'cancel': {
      t.state = 'cancelled';
      return [{ kind: 'state', state: 'cancelled', reason: 'cancelled' }, { kind: 'send', message: cancelOf(t, deps) }];
    }
    case 'key-signing-request': {
      const request = event.message;
      if ((t.flow !== 'stateful' && !flaws.signsStatelessShares) || !t.credentialKey) {
        // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
        return [{ kind: 'violation', requirement: 'R-STATEFUL-1', problem: 'a KeySigningRequest in a stateless transfer' }];
      }
      if (t.boundDevice !== undefined && event.fromDevice !== t.boundDevice) {
        // Another device of the account asked too: the package already names the bound device,
        // and every device of the account gets it, so that one learns the share was taken.
        // Stryker disable next-line all: an `ignore` effect only writes an app log line (app.ts, apply)
        return [{ kind: 'ignore', why: `signing request from device ${event.fromDevice}; the share is bound to device ${t.boundDevice}` }];
      }
      const anotherDevicesKey = flaws.bindsNoDevice && t.finalPackage?.receiverPublicKey !== request.receiverPublicKey;
      if (t.finalPackage && !flaws.signsEveryRequest && !anotherDevicesKey) {
        if (t.finalPackage.receiverPublicKey !== request.receiverPublicKey) {
          // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
          return [{ kind: 'violation', requirement: 'R-STATEFUL-2', problem: 'a second KeySigningRequest with a different key' }];
        }
        // Stryker disable next-line ArrayDeclaration,ObjectLiteral: an `ignore` effect only writes an app log line (app.ts, apply); the condition's mutants stay
        if (flaws.answersFirstRequestOnly) return [{ kind: 'ignore', why: 'signing request answered before (flawed app)' }];
        if (flaws.rebuildsRepeatedPackage && t.invitation) {
          const credentialData = t.invitation.provisioningInformation;
          const signature = signKeyImport(t.credentialKey.privateKey, t.transferId, request.receiverPublicKey, credentialData);
          return [{ kind: 'send', message: { ...t.finalPackage, credentialData, signature } }];
        }
        return [{ kind: 'send', message: t.finalPackage }]; // the same package again: one per transfer
      }
      if (flaws.signsAtExpiry ? event.now > t.expiresAt : event.now >= t.expiresAt) {
        t.state = 'failed';
        return [{ kind: 'state', state: 'failed', reason: 'expired', detail: 'the signing request came after the expiration' }];
      }
      t.finalPackage = {
        type: 'KeyImportRequest',
        version: PROTOCOL_VERSION,
        messageId: deps.newId(),
        transferId: t.transferId,
        receiverPublicKey: request.receiverPublicKey,
        receiverDeviceId: event.fromDevice,
        signature: signKeyImport(t.credentialKey.privateKey, t.transferId, request.receiverPublicKey, t.credentialData),
        credentialData: t.credentialData,
      };
      t.state = 'package-sent';
      t.boundDevice = flaws.bindsNoDevice ? undefined : event.fromDevice;
      // The state first: a send that fails at once reports `failed` after it, not before.
      return [
        // Stryker disable next-line ObjectLiteral,StringLiteral: the optional `package-sent` report (the skips-optional-states variant conforms without it; a report of state "" is killed, marked with the line)
        { kind: 'state', state: 'package-sent' },
        { kind: 'send', message: t.finalPackage },
      ];
    }
    case 'transfer-complete': {
      const { status, reason } = event.message;
      if (t.boundDevice !== undefined && event.fromDevice !== t.boundDevice) {
        // Stryker disable next-line all: an `ignore` effect only writes an app log line (app.ts, apply)
        return [{ kind: 'ignore', why: `an answer from device ${event.fromDevice}, not the bound device ${t.boundDevice}` }];
      }
      // Attempts are counted only from package-sent on (the package's own sends); the states after it are final, and ignored above.
      if (status === 'provisioned' && t.flow === 'stateful' && !t.packageAttempts && !flaws.completesWithoutPackage) {
        // Stryker disable next-line all: a violation report only, and those are optional (docs/protocol.md, Reports to the harness)
        return [{ kind: 'violation', requirement: 'R-STATEFUL-1', problem: 'provisioned reported before the final package was sent' }];
      }
      t.state = status === 'provisioned' ? 'completed' : status;
      const receipt: Effect[] = flaws.reportsPeerProvisioned && status === 'provisioned' && t.invitation ? [receiptOf(t, t.invitation)] : [];
      return [{ kind: 'state', state: t.state, ...(reason ? { reason } : {}) }, ...receipt];
    }
  }
}

/** A new ShareCancel for the share. */
function cancelOf(t: SenderTransfer, deps: MachineDeps): ShareCancel {
  return { type: 'ShareCancel', version: PROTOCOL_VERSION, messageId: deps.newId(), transferId: t.transferId };
}

/** The receiver's `provisioned` report, made by the sender of the share (a faulty app's receipt). */
// Stryker disable all: only the faulty app reports-peer-provisioned calls it
function receiptOf(t: SenderTransfer, invitation: ShareInvitation): Effect {
  const boundKey = t.finalPackage?.receiverPublicKey;
  return { kind: 'provision', credential: { format: invitation.format, title: invitation.displayInformation.title, provisioningInformation: t.credentialData, ...(boundKey ? { boundKey } : {}) } };
}
// Stryker restore all
