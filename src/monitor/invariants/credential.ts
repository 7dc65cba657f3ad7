/**
 * Invariants about where the credential goes: only to the invited account, never to an identity
 * nobody confirmed, and never into an app's logs or reports.
 */
import type { History, MessageEvent } from '../history.ts';
import type { Invariant } from '../invariant.ts';
import { accountsOfPhone, transferOf, transfersOf, type Transfer } from '../transfers.ts';

/** What must stay secret of a transfer: what its sender was asked to share (none known for a scripted share). */
const secretOf = (t: Transfer): string | undefined => t.request?.provisioningInformation;

/** App-sent messages (never the harness's scripted ones) that carry the transfer's credential. */
function carrying(h: History, t: Transfer): MessageEvent[] {
  const secret = secretOf(t);
  return secret ? h.messages.filter((m) => m.direction === 'sent' && !m.scripted && m.text.includes(secret)) : [];
}

export const CREDENTIAL: Invariant[] = [
  {
    id: 'INV-CREDENTIAL-RECIPIENT',
    requirement: 'R-CONF-1',
    text: 'No app sends the credential (the provisioning information or credential data being shared) to any account other than the one the invitation went to.',
    check: (h) =>
      transfersOf(h).flatMap((t) => {
        const allowed = new Set([t.recipient, ...accountsOfPhone(h, t.sender)]);
        return carrying(h, t)
          .filter((m) => !allowed.has(m.peer))
          .map((m) => ({ phone: m.phone, problem: `${m.phone} sent the credential of transfer ${t.transferId} to account ${m.peer}, not the invited ${t.recipient}`, events: [t.invited.seq, m.seq] }));
      }),
  },
  {
    id: 'INV-CONFIRMED-IDENTITY',
    requirement: 'R-IDENTITY-1',
    text: 'No app sends the credential or a final package to a peer whose identity key changed until its user confirmed the new safety number.',
    check: (h) =>
      transfersOf(h).flatMap((t) => {
        const packages = h.messages.filter((m) => m.direction === 'sent' && !m.scripted && m.message?.type === 'KeyImportRequest' && m.message.transferId === t.transferId && transferOf(h, t.transferId, [m.peer]) === t);
        const sensitive = [...new Map([...carrying(h, t), ...packages].map((m) => [m.seq, m])).values()];
        return sensitive.flatMap((m) => {
          const changes = h.identity.filter((e) => e.device === m.device && e.peer === m.peer && e.seq < m.seq);
          const last = changes.at(-1);
          return last?.kind === 'changed'
            ? [{ phone: m.phone, problem: `${m.phone} sent ${m.message?.type ?? 'the credential'} of transfer ${t.transferId} to ${m.peer}, whose identity key changed, before its user confirmed the new safety number`, events: [last.seq, m.seq] }]
            : [];
        });
      }),
  },
  {
    id: 'INV-SECRET-KEPT',
    requirement: 'R-CONF-1',
    text: 'The credential appears in no app log and in no report but the `provisioned` report itself (the server never seeing it in the clear is checked in every scenario, request paths included).',
    check: (h) =>
      transfersOf(h).flatMap((t) => {
        const secret = secretOf(t);
        if (!secret) return [];
        const inLogs = h.logs.filter((l) => l.text.includes(secret)).map((l) => ({ phone: l.phone, problem: `${l.phone} wrote the credential of transfer ${t.transferId} into its log`, events: [l.seq] }));
        const inReports = h.reports
          .filter((r) => {
            if (r.event.type === 'provisioned') return JSON.stringify({ ...r.event, provisioningInformation: undefined }).includes(secret);
            return JSON.stringify(r.event).includes(secret);
          })
          .map((r) => ({ phone: r.phone, problem: `${r.phone} put the credential of transfer ${t.transferId} into a ${r.event.type} report`, events: [r.seq] }));
        return [...inLogs, ...inReports];
      }),
  },
];
