/**
 * Invariants about sending: one message id per message however often it is sent, and retries
 * within the protocol's bounds (docs/protocol.md, "Retries"). Judged from every attempt the
 * devices traced; the harness's scripted sends and the Signal layer's own resends after a 409 or
 * 410 (the recipient's devices changed) are not the app's.
 */
import type { Attempt, History } from '../history.ts';
import type { Invariant } from '../invariant.ts';
import { groupBy } from '../group.ts';
import { reusedIds, transfersOf } from '../transfers.ts';

/** The protocol's bounds on retries. */
export const RETRY_BOUNDS = { minAttempts: 3, maxAttempts: 20, minWaitMs: 500, maxWaitMs: 5 * 60_000 } as const;

/** The protocol's bounds on a waiting receiver's re-requests (docs/protocol.md, R17). */
export const REREQUEST_BOUNDS = { minGapMs: 60_000, firstWithinMs: 2 * 60 * 60_000 } as const;

const PASSING = (status: Attempt['httpStatus']) => status === 'network-error' || status === 429 || (typeof status === 'number' && status >= 500);
const PERMANENT = (status: Attempt['httpStatus']) => status === 401 || status === 404 || status === 413;

/** An app's attempts at one message (one device, one message id), in order. */
function perMessage(h: History): Attempt[][] {
  const apps = h.attempts.filter((a) => !a.scripted && a.messageId && a.httpStatus !== 409 && a.httpStatus !== 410);
  return [...groupBy(apps, (a) => `${a.device}\n${a.messageId}`).values()];
}

/**
 * The messages of a transfer that can only come after each message: once the device got one of
 * these from its peer, the message arrived or no longer matters, and need not be tried again.
 */
const ANSWERED_BY: Record<string, string[]> = {
  ShareInvitation: ['KeySigningRequest', 'TransferComplete'],
  KeySigningRequest: ['KeyImportRequest', 'ShareCancel'],
  KeyImportRequest: ['TransferComplete'],
  ShareCancel: ['TransferComplete'],
  TransferComplete: [],
};

/**
 * Whether a message stopped mattering after its first attempt and before another was due (`by`):
 * the peer answered it (or moved on past it), or the device itself ended the transfer (its user
 * cancelled; the receiver sent its final answer). An app may stop retrying it then.
 */
function moot(h: History, as: Attempt[], by: number): boolean {
  const first = as[0]!;
  const answers = ANSWERED_BY[first.type ?? ''] ?? [];
  // The user cancelled the share (whether or not the cancel got through): the sender's other messages no longer matter.
  const cancelled = first.type !== 'ShareCancel' && h.cancels.some((c) => c.phone === first.phone && c.transferId === first.transferId && c.seq > first.seq && c.at <= by);
  return cancelled || h.messages.some(({ device, seq, at, direction, peer, message }) => {
    if (device !== first.device || seq <= first.seq || at > by || !message || message.transferId !== first.transferId) return false;
    if (direction === 'received') return peer === first.to && answers.includes(message.type);
    return message.type !== first.type && (message.type === 'ShareCancel' || message.type === 'TransferComplete');
  });
}

const what = (a: Attempt) => `${a.phone}'s ${a.type ?? 'message'} ${a.messageId} (transfer ${a.transferId})`;

export const RETRIES: Invariant[] = [
  {
    id: 'INV-ONE-ID',
    requirement: 'R-IDEM-1',
    text: 'A sender sends each of its messages of a transfer (the invitation, the final package, the cancel) under one message id, however often it sends it: a retry or a resend is the same message.',
    check: (h) => {
      const reused = reusedIds(h); // several shares' messages under one id: INV-UNIQUE-TRANSFER's
      const senders = h.attempts.filter((a) => !a.scripted && a.messageId && a.transferId && !reused.has(`${a.phone}\n${a.transferId}`) && ['ShareInvitation', 'KeyImportRequest', 'ShareCancel'].includes(a.type ?? ''));
      return [...groupBy(senders, (a) => `${a.phone}\n${a.type}\n${a.transferId}`).values()].flatMap((as) => {
        const distinct = [...new Set(as.map((a) => a.messageId))];
        // Binding no device is INV-ONE-DEVICE's business: a second package for the same device is this one's.
        return distinct.length > 1
          ? [{ phone: as[0]!.phone, problem: `${as[0]!.phone} sent ${distinct.length} different ${as[0]!.type} messages (ids ${distinct.join(', ')}) for transfer ${as[0]!.transferId}`, events: as.map((a) => a.seq) }]
          : [];
      });
    },
  },
  {
    id: 'INV-RETRY-SPACING',
    requirement: 'R-RETRY-1',
    text: `After a passing failure (5xx, a connection error, 429) an app waits at least ${RETRY_BOUNDS.minWaitMs} ms and at most ${RETRY_BOUNDS.maxWaitMs / 60_000} minutes before trying the same message again, and after a 429 never less than its Retry-After. A final package sent again at once because the receiver asked again in between is an answer, not a retry (after a 429 the Retry-After still holds).`,
    check: (h) =>
      perMessage(h).flatMap((as) =>
        as.slice(1).flatMap((a, i) => {
          const previous = as[i]!;
          if (!PASSING(previous.httpStatus)) return [];
          const waited = a.at - previous.at;
          const floor = previous.httpStatus === 429 && previous.retryAfter !== undefined ? previous.retryAfter * 1000 : RETRY_BOUNDS.minWaitMs;
          const ceiling = previous.httpStatus === 429 && previous.retryAfter !== undefined ? Math.max(RETRY_BOUNDS.maxWaitMs, floor) : RETRY_BOUNDS.maxWaitMs;
          // A retry that met the recipient's new identity is held until the user confirms it (R-IDENTITY-1): no ceiling then.
          const held = h.identity.some((c) => c.kind === 'changed' && c.device === a.device && c.peer === a.to && c.seq > previous.seq && c.seq < a.seq);
          // The recipient asked again for this transfer in between: the attempt answers it (S4), it
          // is not a retry of the failure; only a Retry-After still holds it back.
          const asked =
            previous.httpStatus !== 429 &&
            h.messages.some((m) => m.device === a.device && m.direction === 'received' && m.peer === a.to && m.message?.type === 'KeySigningRequest' && m.message.transferId === a.transferId && m.seq > previous.seq && m.seq < a.seq);
          if ((waited >= floor || asked) && (waited <= ceiling || held)) return [];
          const bound = waited < floor ? `sooner than the ${floor} ms it must wait` : `later than the ${ceiling / 60_000} minutes it may wait`;
          return [{ phone: a.phone, problem: `${what(a)} was tried again ${waited} ms after a ${previous.httpStatus}: ${bound}`, events: [previous.seq, a.seq] }];
        }),
      ),
  },
  {
    id: 'INV-RETRY-BUDGET',
    requirement: 'R-RETRY-1',
    text: `An app makes at most ${RETRY_BOUNDS.maxAttempts} attempts at one message, and gives up on a passing failure only after at least ${RETRY_BOUNDS.minAttempts} (judged when the scenario ran long enough after the last failure for another attempt to be due, before the transfer's expiration, the message was not held for the recipient's new identity, and it still mattered then: its peer had not answered it and the app had not ended the transfer).`,
    check: (h) => {
      // The expiration: the invitation's, else (no invitation reached the server) the user's share request's.
      const expiries = new Map(transfersOf(h).map((t) => [t.transferId, t.expiresAt]));
      for (const s of h.shares) if (!expiries.has(s.transferId)) expiries.set(s.transferId, s.request.expiresAt);
      return perMessage(h).flatMap((as) => {
        const last = as.at(-1)!;
        if (as.length > RETRY_BOUNDS.maxAttempts) return [{ phone: last.phone, problem: `${what(last)} was attempted ${as.length} times, more than ${RETRY_BOUNDS.maxAttempts}`, events: as.map((a) => a.seq) }];
        const allFailed = as.every((a) => PASSING(a.httpStatus));
        // Not giving up: held for the recipient's new identity (R-IDENTITY-1), or its transfer expired before another attempt was due.
        const held = h.identity.some((c) => c.kind === 'changed' && c.device === last.device && c.peer === last.to && c.seq > last.seq);
        const expired = (expiries.get(last.transferId ?? '') ?? Infinity) <= last.at + RETRY_BOUNDS.maxWaitMs;
        const gaveUp = h.endedAt - last.at > RETRY_BOUNDS.maxWaitMs && !held && !expired && !moot(h, as, last.at + RETRY_BOUNDS.maxWaitMs);
        return allFailed && gaveUp && as.length < RETRY_BOUNDS.minAttempts
          ? [{ phone: last.phone, problem: `${what(last)} was given up after ${as.length} attempt(s), fewer than ${RETRY_BOUNDS.minAttempts}`, events: as.map((a) => a.seq) }]
          : [];
      });
    },
  },
  {
    id: 'INV-NO-HOPELESS-RETRY',
    requirement: 'R-RETRY-1',
    text: 'An app never tries a message again after a permanent failure: the recipient is not registered (404), this phone is not (401), or the message is too large (413).',
    check: (h) =>
      perMessage(h).flatMap((as) => {
        const permanent = as.findIndex((a) => PERMANENT(a.httpStatus));
        return permanent >= 0 && permanent < as.length - 1
          ? [{ phone: as[0]!.phone, problem: `${what(as[0]!)} was tried again after a ${as[permanent]!.httpStatus}`, events: as.slice(permanent).map((a) => a.seq) }]
          : [];
      }),
  },
  {
    id: 'INV-ASKS-AGAIN',
    requirement: 'R-RETRY-1',
    text: `A receiver waiting for its final package asks again (a new KeySigningRequest) no sooner than ${REREQUEST_BOUNDS.minGapMs / 60_000} minute after its previous request, and the first time no later than ${REREQUEST_BOUNDS.firstWithinMs / 3_600_000} hours after its first, as long as no package or cancel came from the sender, the transfer did not end and it had not expired; and it never asks once its transfer ended.`,
    check: (h) => {
      const transfers = new Map(transfersOf(h).map((t) => [t.transferId, t]));
      const requests = h.attempts.filter((a) => !a.scripted && a.type === 'KeySigningRequest' && a.transferId && a.messageId);
      return [...groupBy(requests, (a) => `${a.device}\n${a.transferId}`).values()].flatMap((as) => {
        const transfer = transfers.get(as[0]!.transferId!);
        if (!transfer) return [];
        // A request is its message id's first attempt: retries of one request are INV-RETRY-SPACING's.
        const asks = [...groupBy(as, (a) => a.messageId!).values()].map((copies) => copies[0]!);
        const { phone, device } = asks[0]!;
        const senderAci = transfer.invited.device.split('.')[0];
        // Waiting ends with a package or a cancel from the sender, a final state, the expiration or the story's end.
        const finals = h.reports.filter((r) => r.phone === phone && r.event.type === 'transfer' && r.event.transferId === transfer.transferId && r.event.role === 'receiver' && ['provisioned', 'failed', 'declined', 'cancelled'].includes(r.event.state));
        const ended = [
          ...h.messages.filter((m) => m.device === device && m.direction === 'received' && m.peer === senderAci && m.message?.transferId === transfer.transferId && (m.message.type === 'KeyImportRequest' || m.message.type === 'ShareCancel')).map((m) => m.at),
          ...finals.map((r) => r.at),
        ];
        const waitedUntil = Math.min(transfer.expiresAt, h.endedAt, ...ended);
        const soon = asks.slice(1).flatMap((a, i) =>
          a.at - asks[i]!.at < REREQUEST_BOUNDS.minGapMs
            ? [{ phone, problem: `${phone} asked again for its key to be signed (transfer ${transfer.transferId}) ${a.at - asks[i]!.at} ms after its previous request, sooner than 1 minute`, events: [asks[i]!.seq, a.seq] }]
            : [],
        );
        const first = asks[0]!;
        const deadline = first.at + REREQUEST_BOUNDS.firstWithinMs;
        const again = asks[1];
        const late = waitedUntil > deadline && (!again || again.at > deadline)
          ? [{ phone, problem: `${phone} waited for its final package (transfer ${transfer.transferId}) more than 2 hours after its first signing request without asking again${again ? ` (it asked again ${Math.round((again.at - first.at) / 60_000)} minutes after)` : ''}`, events: [first.seq, ...(again ? [again.seq] : [])] }]
          : [];
        // A request after the transfer ended (a re-request timer left running) asks for what is over.
        const end = finals[0];
        const afterEnd = end ? asks.filter((a) => a.seq > end.seq).slice(0, 1) : [];
        const pointless = afterEnd.map((a) => ({
          phone,
          problem: `${phone} asked again for its key to be signed (transfer ${transfer.transferId}) after it had reported the transfer ${end!.event.type === 'transfer' ? end!.event.state : 'ended'}`,
          events: [end!.seq, a.seq],
        }));
        return [...soon, ...late, ...pointless];
      });
    },
  },
];
