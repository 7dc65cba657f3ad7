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
  /** Stateful: the one final package of this transfer, sent again verbatim if asked again. */
  finalPackage?: KeyImportRequest;
}

export type SenderEvent =
  /** The server accepted the invitation (perhaps after retries). */
  | { type: 'invitation-sent' }
  /** The invitation could not be sent: not on Signal, retries spent... */
  | { type: 'invitation-failed'; reason: FailureReason; detail: string }
  | { type: 'key-signing-request'; message: KeySigningRequest; now: number }
  | { type: 'transfer-complete'; message: TransferComplete }
  | { type: 'cancel' };

export interface SenderFlaws {
  /** Signs a new package for every signing request instead of resending the one it sent. */
  signsEveryRequest?: boolean;
}

export function senderStep(t: SenderTransfer, event: SenderEvent, deps: MachineDeps, flaws: SenderFlaws = {}): Effect[] {
  if (FINAL.includes(t.state)) {
    return [{ kind: 'ignore', why: `${event.type} after the share ended (${t.state})` }];
  }
  switch (event.type) {
    case 'invitation-sent':
      if (t.state !== 'sending') return [{ kind: 'ignore', why: `invitation accepted while ${t.state}` }];
      t.state = 'invited';
      return [{ kind: 'state', state: 'invited' }];
    case 'invitation-failed':
      if (t.state !== 'sending') return [{ kind: 'ignore', why: `invitation failed while ${t.state}` }];
      t.state = 'failed';
      return [{ kind: 'state', state: 'failed', reason: event.reason, detail: event.detail }];
    case 'cancel': {
      t.state = 'cancelled';
      const cancel: ShareCancel = { type: 'ShareCancel', version: PROTOCOL_VERSION, messageId: deps.newId(), transferId: t.transferId };
      return [{ kind: 'state', state: 'cancelled', reason: 'cancelled' }, { kind: 'send', message: cancel }];
    }
    case 'key-signing-request': {
      const request = event.message;
      if (t.flow !== 'stateful' || !t.credentialKey) {
        return [{ kind: 'violation', requirement: 'R-STATEFUL-1', problem: 'a KeySigningRequest in a stateless transfer' }];
      }
      if (t.finalPackage && !flaws.signsEveryRequest) {
        if (t.finalPackage.receiverPublicKey !== request.receiverPublicKey) {
          return [{ kind: 'violation', requirement: 'R-STATEFUL-2', problem: 'a second KeySigningRequest with a different key' }];
        }
        return [{ kind: 'send', message: t.finalPackage }]; // the same package again: one per transfer
      }
      if (event.now >= t.expiresAt) {
        t.state = 'failed';
        return [{ kind: 'state', state: 'failed', reason: 'expired', detail: 'the signing request came after the expiration' }];
      }
      t.finalPackage = {
        type: 'KeyImportRequest',
        version: PROTOCOL_VERSION,
        messageId: deps.newId(),
        transferId: t.transferId,
        receiverPublicKey: request.receiverPublicKey,
        signature: signKeyImport(t.credentialKey.privateKey, t.transferId, request.receiverPublicKey, t.credentialData),
        credentialData: t.credentialData,
      };
      t.state = 'package-sent';
      return [{ kind: 'send', message: t.finalPackage }, { kind: 'state', state: 'package-sent' }];
    }
    case 'transfer-complete': {
      const { status, reason } = event.message;
      if (status === 'provisioned' && t.flow === 'stateful' && t.state !== 'package-sent') {
        return [{ kind: 'violation', requirement: 'R-STATEFUL-1', problem: 'provisioned reported before the final package was sent' }];
      }
      t.state = status === 'provisioned' ? 'completed' : status;
      return [{ kind: 'state', state: t.state, ...(reason ? { reason } : {}) }];
    }
  }
}
