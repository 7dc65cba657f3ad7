/**
 * The transfers of a history, each with its parties and terms as the traffic shows them: the
 * sender is the phone whose device first got the server to accept a ShareInvitation for the
 * transfer id, the recipient is the account it went to. A share started by a user also brings
 * the request (what was shared, until when).
 */
import type { ShareRequest } from '../adapter/contract.ts';
import type { ShareInvitation } from '../protocol/messages.ts';
import type { History, MessageEvent } from './history.ts';

export interface Transfer {
  transferId: string;
  /** The phone that sent the invitation (an app's, or a scripted peer's). */
  sender: string;
  /** The account the invitation went to. */
  recipient: string;
  invitation: ShareInvitation;
  /** The invitation as sent. */
  invited: MessageEvent;
  /** When the share stops being redeemable (ms). */
  expiresAt: number;
  /** What was shared: the user's request when an app shared it. */
  request?: ShareRequest;
}

/** Each history's transfers, found once: every invariant asks for them, some once per report. */
const found = new WeakMap<History, Transfer[]>();

export function transfersOf(history: History): Transfer[] {
  let transfers = found.get(history);
  if (!transfers) found.set(history, (transfers = findTransfers(history)));
  return transfers;
}

function findTransfers(history: History): Transfer[] {
  const found = new Map<string, Transfer>();
  for (const m of history.messages) {
    if (m.direction !== 'sent' || m.message?.type !== 'ShareInvitation' || found.has(m.message.transferId)) continue;
    const invitation = m.message;
    const share = history.shares.find((s) => s.transferId === invitation.transferId && s.phone === m.phone);
    found.set(invitation.transferId, {
      transferId: invitation.transferId,
      sender: m.phone,
      recipient: m.peer,
      invitation,
      invited: m,
      expiresAt: Date.parse(invitation.expiration),
      ...(share ? { request: share.request } : {}),
    });
  }
  return [...found.values()];
}

/** The account of a phone at the time of an event: any of its accounts so far (a reinstall keeps the ACI). */
export function accountsOfPhone(history: History, phone: string): string[] {
  return history.phones.find((p) => p.name === phone)?.accounts ?? [];
}
