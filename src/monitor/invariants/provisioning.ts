/**
 * Invariants about provisioning: where, how often, what, and when a credential may be provisioned,
 * judged from the apps' `provisioned` reports against the traffic of their devices.
 */
import type { AppEvent } from '../../adapter/contract.ts';
import type { History, ReportEvent } from '../history.ts';
import type { Invariant } from '../invariant.ts';
import { accountsOfPhone, reusedIds, transferOf, transfersOf, type Transfer } from '../transfers.ts';
import { groupBy } from '../group.ts';

type Provisioned = ReportEvent & { event: Extract<AppEvent, { type: 'provisioned' }> };

const provisioned = (h: History): Provisioned[] => h.reports.filter((r): r is Provisioned => r.event.type === 'provisioned');

/** The final package a phone received for a transfer from its sender, before `seq`. */
function packagesReceived(h: History, t: Transfer, phone: string, beforeSeq: number) {
  const senders = accountsOfPhone(h, t.sender);
  return h.messages.filter(
    (m) => m.phone === phone && m.direction === 'received' && m.seq < beforeSeq && senders.includes(m.peer) && m.message?.type === 'KeyImportRequest' && m.message.transferId === t.transferId,
  );
}

export const PROVISIONING: Invariant[] = [
  {
    id: 'INV-ONCE',
    requirement: 'R-ONCE-1',
    text: 'A phone provisions a transfer at most once, however often its messages arrive.',
    check: (h) => {
      return [...groupBy(provisioned(h), (r) => `${r.phone}\n${r.event.transferId}`).values()]
        .filter((rs) => rs.length > 1)
        .map((rs) => ({ phone: rs[0]!.phone, problem: `${rs[0]!.phone} provisioned transfer ${rs[0]!.event.transferId} ${rs.length} times`, events: rs.map((r) => r.seq) }));
    },
  },
  {
    id: 'INV-INVITED-ONLY',
    requirement: 'R-THIRD-1',
    text: 'A credential is provisioned only on a device of the account the invitation went to, and only for a transfer whose invitation that device received.',
    check: (h) =>
      provisioned(h).flatMap((r) => {
        const t = transferOf(h, r.event.transferId, accountsOfPhone(h, r.phone));
        if (!t) return [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${r.event.transferId}, for which no invitation was ever sent`, events: [r.seq] }];
        if (!accountsOfPhone(h, r.phone).includes(t.recipient)) {
          return [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${t.transferId}, whose invitation went to another account (${t.recipient})`, events: [t.invited.seq, r.seq] }];
        }
        return [];
      }),
  },
  {
    id: 'INV-ONE-DEVICE',
    requirement: 'R-DEVICE-1',
    text: 'In the stateful flow a transfer is provisioned on one device only: the one the final package names.',
    check: (h) =>
      provisioned(h).flatMap((r) => {
        const t = transferOf(h, r.event.transferId, accountsOfPhone(h, r.phone));
        if (!t || t.invitation.flow !== 'stateful') return [];
        // The device a package is for, against the device (`aci.deviceId`) that received it.
        const packages = packagesReceived(h, t, r.phone, r.seq);
        const mine = packages.filter((m) => m.message?.type === 'KeyImportRequest' && Number(m.device.split('.').pop()) === m.message.receiverDeviceId);
        if (packages.length && !mine.length) {
          return [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${t.transferId} from a final package naming another device of its account`, events: [...packages.map((m) => m.seq), r.seq] }];
        }
        return [];
      }),
  },
  {
    id: 'INV-EXACT',
    requirement: 'R-STATELESS-1',
    text: 'What is provisioned is byte for byte what was shared: the sender sends the provisioning information (stateless) or credential data (stateful) it was asked to share, with its format, and the receiver provisions exactly what it received.',
    check: (h) => {
      const reused = reusedIds(h);
      return [
        // The sender's part: what it sent is what its user shared.
        ...transfersOf(h).flatMap((t) => {
          // Several shares under one id: which request a message answers cannot be told (INV-UNIQUE-TRANSFER's).
          if (!t.request || reused.has(`${t.sender}\n${t.transferId}`)) return [];
          const shared = t.request.provisioningInformation;
          const sent = h.messages.filter((m) => m.phone === t.sender && m.direction === 'sent' && !m.scripted && m.message?.transferId === t.transferId && transferOf(h, t.transferId, [m.peer]) === t);
          const wrong = sent.filter(
            (m) =>
              (m.message?.type === 'ShareInvitation' && (m.message.format !== t.request!.format || (m.message.flow === 'stateless' && m.message.provisioningInformation !== shared))) ||
              (m.message?.type === 'KeyImportRequest' && m.message.credentialData !== shared),
          );
          return wrong.map((m) => ({ phone: t.sender, problem: `${t.sender} sent a ${m.message!.type} for transfer ${t.transferId} whose format or credential is not what its user shared`, events: [m.seq] }));
        }),
        // The receiver's part: what it provisioned is what it received.
        ...provisioned(h).flatMap((r) => {
          const t = transferOf(h, r.event.transferId, accountsOfPhone(h, r.phone));
          if (!t) return [];
          const received = h.messages.filter((m) => m.phone === r.phone && m.direction === 'received' && m.seq < r.seq && m.message?.transferId === t.transferId);
          const data = received.flatMap((m) =>
            m.message?.type === 'ShareInvitation' && m.message.flow === 'stateless' ? [m.message.provisioningInformation] : m.message?.type === 'KeyImportRequest' ? [m.message.credentialData] : [],
          );
          const problems = [];
          if (data.length && !data.includes(r.event.provisioningInformation)) problems.push('credential differs from every one its device received for it');
          if (r.event.format !== t.invitation.format) problems.push(`format ${JSON.stringify(r.event.format)} is not the invitation's ${JSON.stringify(t.invitation.format)}`);
          return problems.length ? [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${t.transferId}, but its ${problems.join(' and its ')}`, events: [t.invited.seq, r.seq] }] : [];
        }),
      ];
    },
  },
  {
    id: 'INV-BEFORE-EXPIRY',
    requirement: 'R-EXPIRY-1',
    text: 'Nothing is provisioned at or after the expiration, and a sender signs no final package at or after it (its first attempt to send one comes before).',
    check: (h) => [
      ...provisioned(h).flatMap((r) => {
        const t = transferOf(h, r.event.transferId, accountsOfPhone(h, r.phone));
        return t && r.at >= t.expiresAt
          ? [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${t.transferId} at ${new Date(r.at).toISOString()}, at or after its expiration ${t.invitation.expiration}`, events: [t.invited.seq, r.seq] }]
          : [];
      }),
      ...transfersOf(h).flatMap((t) =>
        firstAttempts(h, t, 'KeyImportRequest')
          .filter((a) => a.at >= t.expiresAt)
          .map((a) => ({ phone: a.phone, problem: `${a.phone} signed a final package for transfer ${t.transferId} at ${new Date(a.at).toISOString()}, at or after its expiration ${t.invitation.expiration}`, events: [t.invited.seq, a.seq] })),
      ),
    ],
  },
  {
    id: 'INV-AFTER-CANCEL',
    requirement: 'R-CANCEL-1',
    text: 'Once a side has processed a cancel nothing more of the transfer happens there: the receiver provisions nothing after it received the sender\'s ShareCancel; the sender signs or sends no final package after its user cancelled (no first attempt, no retry, no release of one held for a new safety number), and tries its invitation no more (a cancel while the invitation waited for a retry).',
    check: (h) => [
      ...provisioned(h).flatMap((r) => {
        const t = transferOf(h, r.event.transferId, accountsOfPhone(h, r.phone));
        if (!t) return [];
        const senders = accountsOfPhone(h, t.sender);
        const fromSender = (m: (typeof h.messages)[number]) => m.phone === r.phone && m.direction === 'received' && senders.includes(m.peer) && m.message?.transferId === t.transferId;
        const cancel = h.messages.find((m) => fromSender(m) && m.seq < r.seq && m.message?.type === 'ShareCancel');
        if (!cancel) return [];
        // A report may come later within its instant (a 0 ms timer): at the cancel's instant, the
        // provision counts as the cancel's only if what it provisions (the stateless invitation,
        // the final package) came after the cancel.
        const provisionable = (type: string | undefined) => type === 'KeyImportRequest' || (type === 'ShareInvitation' && t.invitation.flow === 'stateless');
        const enabledBefore = h.messages.some((m) => fromSender(m) && m.seq < cancel.seq && provisionable(m.message?.type));
        if (r.at === cancel.at && enabledBefore) return [];
        return [{ phone: r.phone, problem: `${r.phone} provisioned transfer ${t.transferId} after it received the sender's cancel`, events: [cancel.seq, r.seq] }];
      }),
      ...h.cancels.flatMap((c) => {
        // What the cancelling phone's app tried to send of the share after its user cancelled it.
        const after = h.attempts.filter((a) => !a.scripted && a.transferId === c.transferId && a.phone === c.phone && a.seq > c.seq);
        // D2: the invitation of a share cancelled while it waited for a retry is not tried again.
        const invitation = after.find((a) => a.type === 'ShareInvitation');
        const retried = invitation ? [{ phone: invitation.phone, problem: `${invitation.phone} tried its invitation for transfer ${c.transferId} again after its user cancelled the share`, events: [c.seq, invitation.seq] }] : [];
        const t = transferOf(h, c.transferId);
        if (!t) return retried;
        const packages = after.filter((a) => a.type === 'KeyImportRequest');
        // One finding per package: its first attempt after the cancel (signed then, or sent again).
        const firstAfter = packages.filter((a, i) => packages.findIndex((b) => b.messageId === a.messageId) === i);
        return [
          ...retried,
          ...firstAfter.map((a) => {
            const signed = !firstAttempts(h, t, 'KeyImportRequest').some((f) => f.messageId === a.messageId && f.seq < c.seq);
            return { phone: a.phone, problem: `${a.phone} ${signed ? 'signed' : 'sent again'} a final package for transfer ${t.transferId} after its user cancelled the share`, events: [c.seq, a.seq] };
          }),
        ];
      }),
    ],
  },
  {
    id: 'INV-NO-ANSWER-TO-CANCEL',
    requirement: 'R-CANCEL-1',
    text: 'A receiver answers no ShareCancel: once its phone received the sender\'s cancel of a transfer, its app sends no new message of that transfer (no TransferComplete, no signing request; one it had started sending before may still be retried).',
    check: (h) =>
      transfersOf(h).flatMap((t) => {
        const senders = accountsOfPhone(h, t.sender);
        // Each receiving phone's first cancel from the transfer's sender (a third party's cancel is void).
        const cancels = h.messages.filter((m) => m.direction === 'received' && m.message?.type === 'ShareCancel' && m.message.transferId === t.transferId && senders.includes(m.peer) && m.phone !== t.sender);
        return [...new Set(cancels.map((m) => m.phone))].flatMap((phone) => {
          const cancel = cancels.find((m) => m.phone === phone)!;
          const before = new Set(h.attempts.filter((a) => a.phone === phone && a.transferId === t.transferId && a.seq < cancel.seq).map((a) => a.messageId));
          const answer = h.attempts.find((a) => !a.scripted && a.phone === phone && a.transferId === t.transferId && a.seq > cancel.seq && !before.has(a.messageId));
          return answer ? [{ phone, problem: `${phone} answered the sender's cancel of transfer ${t.transferId}: it sent a ${answer.type ?? 'message'} after the cancel arrived`, events: [cancel.seq, answer.seq] }] : [];
        });
      }),
  },
  {
    id: 'INV-FINAL',
    requirement: 'R-ONCE-1',
    text: 'A transfer\'s final state (completed, provisioned, failed, declined, cancelled) never changes once reported: a provisioned credential stays provisioned, late or repeated messages change nothing.',
    check: (h) => {
      const FINAL = ['completed', 'provisioned', 'failed', 'declined', 'cancelled'];
      const ended = new Map<string, ReportEvent>();
      const found = [];
      const reused = reusedIds(h);
      for (const r of h.reports) {
        if (r.event.type !== 'transfer') continue;
        const key = `${r.phone}\n${r.event.transferId}`;
        if (reused.has(key)) continue; // whose share a report is about cannot be told: INV-UNIQUE-TRANSFER's
        const first = ended.get(key);
        if (first && first.event.type === 'transfer' && (r.event.state !== first.event.state || r.event.reason !== first.event.reason)) {
          found.push({ phone: r.phone, problem: `${r.phone} reported transfer ${r.event.transferId} ${r.event.state}${r.event.reason ? `/${r.event.reason}` : ''} after it had ended ${first.event.state}${first.event.reason ? `/${first.event.reason}` : ''}`, events: [first.seq, r.seq] });
        }
        if (!first && FINAL.includes(r.event.state)) ended.set(key, r);
      }
      return found;
    },
  },
];

/** The first attempt of each distinct message of a type the transfer's phones' apps sent (not scripted). */
export function firstAttempts(h: History, t: Transfer, type: string) {
  const seen = new Set<string>();
  return h.attempts.filter((a) => {
    if (a.scripted || a.type !== type || a.transferId !== t.transferId || !a.messageId || seen.has(`${a.device}\n${a.messageId}`)) return false;
    seen.add(`${a.device}\n${a.messageId}`);
    return true;
  });
}
