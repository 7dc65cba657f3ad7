/**
 * Invariants about sending: one message id per message however often it is sent, and retries
 * within the protocol's bounds (docs/protocol.md, "Retries"). Judged from every attempt the
 * devices traced; the harness's scripted sends and the Signal layer's own resends after a 409 or
 * 410 (the recipient's devices changed) are not the app's.
 */
import type { Attempt, History } from '../history.ts';
import type { Invariant } from '../invariant.ts';
import { groupBy } from '../group.ts';

/** The protocol's bounds on retries. */
export const RETRY_BOUNDS = { minAttempts: 3, maxAttempts: 20, minWaitMs: 500, maxWaitMs: 5 * 60_000 } as const;

const PASSING = (status: Attempt['httpStatus']) => status === 'network-error' || status === 429 || (typeof status === 'number' && status >= 500);
const PERMANENT = (status: Attempt['httpStatus']) => status === 401 || status === 404 || status === 413;

/** An app's attempts at one message (one device, one message id), in order. */
function perMessage(h: History): Attempt[][] {
  const apps = h.attempts.filter((a) => !a.scripted && a.messageId && a.httpStatus !== 409 && a.httpStatus !== 410);
  return [...groupBy(apps, (a) => `${a.device}\n${a.messageId}`).values()];
}

const what = (a: Attempt) => `${a.phone}'s ${a.type ?? 'message'} ${a.messageId} (transfer ${a.transferId})`;

export const RETRIES: Invariant[] = [
  {
    id: 'INV-ONE-ID',
    requirement: 'R-IDEM-1',
    text: 'A sender sends each of its messages of a transfer (the invitation, the final package, the cancel) under one message id, however often it sends it: a retry or a resend is the same message.',
    check: (h) => {
      const senders = h.attempts.filter((a) => !a.scripted && a.messageId && a.transferId && ['ShareInvitation', 'KeyImportRequest', 'ShareCancel'].includes(a.type ?? ''));
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
    text: `After a passing failure (5xx, a connection error, 429) an app waits at least ${RETRY_BOUNDS.minWaitMs} ms and at most ${RETRY_BOUNDS.maxWaitMs / 60_000} minutes before trying the same message again, and after a 429 never less than its Retry-After.`,
    check: (h) =>
      perMessage(h).flatMap((as) =>
        as.slice(1).flatMap((a, i) => {
          const previous = as[i]!;
          if (!PASSING(previous.httpStatus)) return [];
          const waited = a.at - previous.at;
          const floor = previous.httpStatus === 429 && previous.retryAfter !== undefined ? previous.retryAfter * 1000 : RETRY_BOUNDS.minWaitMs;
          const ceiling = previous.httpStatus === 429 && previous.retryAfter !== undefined ? Math.max(RETRY_BOUNDS.maxWaitMs, floor) : RETRY_BOUNDS.maxWaitMs;
          if (waited >= floor && waited <= ceiling) return [];
          const bound = waited < floor ? `sooner than the ${floor} ms it must wait` : `later than the ${ceiling / 60_000} minutes it may wait`;
          return [{ phone: a.phone, problem: `${what(a)} was tried again ${waited} ms after a ${previous.httpStatus}: ${bound}`, events: [previous.seq, a.seq] }];
        }),
      ),
  },
  {
    id: 'INV-RETRY-BUDGET',
    requirement: 'R-RETRY-1',
    text: `An app makes at most ${RETRY_BOUNDS.maxAttempts} attempts at one message, and gives up on a passing failure only after at least ${RETRY_BOUNDS.minAttempts} (judged when the scenario ran long enough after the last failure for another attempt to be due).`,
    check: (h) =>
      perMessage(h).flatMap((as) => {
        const last = as.at(-1)!;
        if (as.length > RETRY_BOUNDS.maxAttempts) return [{ phone: last.phone, problem: `${what(last)} was attempted ${as.length} times, more than ${RETRY_BOUNDS.maxAttempts}`, events: as.map((a) => a.seq) }];
        const allFailed = as.every((a) => PASSING(a.httpStatus));
        const gaveUp = h.endedAt - last.at > RETRY_BOUNDS.maxWaitMs;
        return allFailed && gaveUp && as.length < RETRY_BOUNDS.minAttempts
          ? [{ phone: last.phone, problem: `${what(last)} was given up after ${as.length} attempt(s), fewer than ${RETRY_BOUNDS.minAttempts}`, events: as.map((a) => a.seq) }]
          : [];
      }),
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
];
