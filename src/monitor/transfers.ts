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
  const found: Transfer[] = [];
  for (const m of history.messages) {
    if (m.direction !== 'sent' || m.message?.type !== 'ShareInvitation') continue;
    const invitation = m.message;
    const sameId = found.filter((t) => t.transferId === invitation.transferId);
    // An invitation with a known id is that transfer's (a retry, a resend, a copy, even to another
    // account), unless its phone's user started another share that got the same id (a sender's
    // bug, INV-UNIQUE-TRANSFER) and this one goes to another account: then it is that share's.
    const shares = history.shares.filter((s) => s.transferId === invitation.transferId && s.phone === m.phone);
    const ownShares = sameId.filter((t) => t.sender === m.phone).length;
    if (sameId.length && (sameId.some((t) => t.recipient === m.peer) || ownShares >= shares.length)) continue;
    const share = shares[ownShares];
    found.push({
      transferId: invitation.transferId,
      sender: m.phone,
      recipient: m.peer,
      invitation,
      invited: m,
      expiresAt: Date.parse(invitation.expiration),
      ...(share ? { request: share.request } : {}),
    });
  }
  return found;
}

/** The transfers with an id: one, unless a sender gave two shares one id (INV-UNIQUE-TRANSFER). */
export function transfersWithId(history: History, transferId: string): Transfer[] {
  return transfersOf(history).filter((t) => t.transferId === transferId);
}

/**
 * The transfer with an id that went to one of `accounts` (a receiving phone's, a message's peer),
 * else the first with that id: where a sender gave two shares one id, each receiver is judged by
 * its own.
 */
export function transferOf(history: History, transferId: string, accounts: string[] = []): Transfer | undefined {
  const transfers = transfersWithId(history, transferId);
  return transfers.find((t) => accounts.includes(t.recipient)) ?? transfers[0];
}

/**
 * `phone\ntransferId` of every id that several shares of one phone got (INV-UNIQUE-TRANSFER): the
 * rules that judge a phone's messages or reports per transfer id cannot tell which share they
 * belong to, and leave that id to INV-UNIQUE-TRANSFER.
 */
export function reusedIds(history: History): Set<string> {
  const counts = new Map<string, number>();
  for (const s of history.shares) counts.set(`${s.phone}\n${s.transferId}`, (counts.get(`${s.phone}\n${s.transferId}`) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n > 1).map(([key]) => key));
}

/** The account of a phone at the time of an event: any of its accounts so far (a reinstall keeps the ACI). */
export function accountsOfPhone(history: History, phone: string): string[] {
  return history.phones.find((p) => p.name === phone)?.accounts ?? [];
}
