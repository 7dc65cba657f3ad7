/**
 * Invariants about what apps report and the ids and keys they choose: a report must match the
 * traffic it claims, and what must be fresh is fresh.
 */
import type { Invariant } from '../invariant.ts';
import { groupBy } from '../group.ts';
import { accountsOfPhone, transferOf, transfersOf, transfersWithId } from '../transfers.ts';

export const REPORTS: Invariant[] = [
  {
    id: 'INV-COMPLETED-MEANS-PROVISIONED',
    requirement: 'R-STATELESS-1',
    text: "A sender reports a share `completed` only after its device received the recipient's TransferComplete `provisioned` for it.",
    check: (h) =>
      h.reports.flatMap((r) => {
        if (r.event.type !== 'transfer' || r.event.role !== 'sender' || r.event.state !== 'completed') return [];
        const { transferId } = r.event;
        const recipients = transfersWithId(h, transferId).map((t) => t.recipient);
        const answer = h.messages.find(
          (m) => m.phone === r.phone && m.direction === 'received' && m.seq < r.seq && recipients.includes(m.peer) && m.message?.type === 'TransferComplete' && m.message.transferId === transferId && m.message.status === 'provisioned',
        );
        return answer ? [] : [{ phone: r.phone, problem: `${r.phone} reported transfer ${transferId} completed, but its device had received no TransferComplete "provisioned" for it from the recipient`, events: [r.seq] }];
      }),
  },
  {
    id: 'INV-PROVISIONED-AFTER-PACKAGE',
    requirement: 'R-STATEFUL-1',
    text: 'In the stateful flow the credential travels in the final package only: the sender puts the credential data in no other message (an invitation carrying it would hand it over unbound, to every device of the account), and a receiver provisions only after its device received the final package from the sender.',
    check: (h) => [
      ...transfersOf(h).flatMap((t) => {
        const secret = t.request?.provisioningInformation;
        if (t.invitation.flow !== 'stateful' || !secret) return [];
        const early = h.messages.filter((m) => m.phone === t.sender && m.direction === 'sent' && !m.scripted && m.message?.transferId === t.transferId && m.message.type !== 'KeyImportRequest' && m.text.includes(secret));
        return early.map((m) => ({ phone: t.sender, problem: `${t.sender} put the credential data of stateful transfer ${t.transferId} in a ${m.message!.type}, not only in the final package`, events: [m.seq] }));
      }),
      ...h.reports.flatMap((r) => {
        if (r.event.type !== 'provisioned') return [];
        const { transferId } = r.event;
        const t = transferOf(h, transferId, accountsOfPhone(h, r.phone));
        if (!t || t.invitation.flow !== 'stateful') return [];
        const senders = accountsOfPhone(h, t.sender);
        const pkg = h.messages.find((m) => m.phone === r.phone && m.direction === 'received' && m.seq < r.seq && senders.includes(m.peer) && m.message?.type === 'KeyImportRequest' && m.message.transferId === transferId);
        return pkg ? [] : [{ phone: r.phone, problem: `${r.phone} provisioned stateful transfer ${transferId} before its device received any final package for it`, events: [t.invited.seq, r.seq] }];
      }),
    ],
  },
  {
    id: 'INV-UNIQUE-TRANSFER',
    requirement: 'R-ONCE-1',
    text: 'Every share gets a transfer id of its own.',
    check: (h) => {
      return [...groupBy(h.shares, (s) => s.transferId).values()].filter((ss) => ss.length > 1).map((ss) => ({ phone: ss[0]!.phone, problem: `${ss.length} shares got the same transfer id ${ss[0]!.transferId}`, events: ss.map((s) => s.seq) }));
    },
  },
  {
    id: 'INV-FRESH-KEY',
    requirement: 'R-STATEFUL-2',
    text: 'A receiver generates a new key for each stateful transfer: no key it asks to have signed serves two transfers.',
    check: (h) => {
      const requests = h.messages.filter((m) => m.direction === 'sent' && !m.scripted && m.message?.type === 'KeySigningRequest');
      return [...groupBy(requests, (m) => (m.message as { receiverPublicKey: string }).receiverPublicKey).values()].flatMap((ms) => {
        const transfers = [...new Set(ms.map((m) => m.message!.transferId))];
        return transfers.length > 1 ? [{ phone: ms[0]!.phone, problem: `${ms[0]!.phone} asked to have one key signed for ${transfers.length} transfers (${transfers.join(', ')})`, events: ms.map((m) => m.seq) }] : [];
      });
    },
  },
];
