/**
 * What a state-machine step asks the app to do. The machines (sender.ts, receiver.ts) are pure:
 * they change the transfer's state and return effects; app.ts carries the effects out.
 */
import type { AppEvent, FailureReason, TransferState } from '../../adapter/contract.ts';
import type { ProtocolMessage } from '../../protocol/messages.ts';

export type Effect =
  /** Send this message to the transfer's peer. */
  | { kind: 'send'; message: ProtocolMessage }
  /** Report the transfer's new state to the harness. */
  | { kind: 'state'; state: TransferState; reason?: FailureReason; detail?: string }
  /** Report a provisioned credential. */
  | { kind: 'provision'; credential: Omit<Extract<AppEvent, { type: 'provisioned' }>, 'type' | 'transferId' | 'from'> }
  /** Report that the peer broke the protocol. */
  | { kind: 'violation'; requirement: string; problem: string }
  /** Feed the receiver machine this timer event at this instant (simulated time). */
  | { kind: 'timer'; at: number; event: 'expired' | 'resend-key-request' }
  /** Nothing changes; say why in the app's log. */
  | { kind: 'ignore'; why: string };

/** Ids and keys the machines need from outside, so tests can pass fixed ones. */
export interface MachineDeps {
  newId(): string;
}
