/**
 * A minimal credential-app adapter: the stateless flow in one screen. It passes the stateless
 * suite (test/faulty-apps.test.ts runs it) and shows the whole contract:
 *
 *   SCT_ADAPTER=examples/minimal-adapter.ts npm run conformance
 *
 * A real adapter forwards these calls to the credential app under test instead.
 */
import type { CredentialApp, CredentialAppContext } from '../src/adapter/contract.ts';
import { PROTOCOL_VERSION, decode, encode, randomUuid } from '../src/protocol/messages.ts';

export default function createCredentialApp({ signal, clock, random, report }: CredentialAppContext): CredentialApp {
  const uuid = () => randomUuid(random); // seeded, so runs replay
  const shares = new Map<string, string>(); // transferId -> recipient ACI (as sender)
  const handled = new Set<string>(); // transferIds seen (as receiver): provision once

  signal.onMessage(async ({ from, bytes }) => {
    const decoded = decode(bytes);
    if (!decoded.ok) {
      // Answer a malformed invitation, if we can tell which transfer it was.
      if (decoded.type === 'ShareInvitation' && decoded.transferId && !handled.has(decoded.transferId)) {
        handled.add(decoded.transferId);
        report({ type: 'transfer', transferId: decoded.transferId, role: 'receiver', state: 'failed', reason: 'malformed' });
        await signal.send(from.aci, encode({ type: 'TransferComplete', version: PROTOCOL_VERSION, messageId: uuid(), transferId: decoded.transferId, status: 'failed', reason: 'malformed' }));
      }
      return;
    }
    const m = decoded.message;
    if (m.type === 'ShareInvitation' && !handled.has(m.transferId)) {
      handled.add(m.transferId);
      const expired = Date.parse(m.expiration) <= clock.now();
      if (expired || m.flow !== 'stateless') {
        const reason = expired ? 'expired' : 'unsupported';
        report({ type: 'transfer', transferId: m.transferId, role: 'receiver', state: 'failed', reason });
        await signal.send(from.aci, encode({ type: 'TransferComplete', version: PROTOCOL_VERSION, messageId: uuid(), transferId: m.transferId, status: 'failed', reason }));
        return;
      }
      report({ type: 'provisioned', transferId: m.transferId, from: from.aci, format: m.format, title: m.displayInformation.title, provisioningInformation: m.provisioningInformation });
      report({ type: 'transfer', transferId: m.transferId, role: 'receiver', state: 'provisioned' });
      await signal.send(from.aci, encode({ type: 'TransferComplete', version: PROTOCOL_VERSION, messageId: uuid(), transferId: m.transferId, status: 'provisioned' }));
    }
    if (m.type === 'TransferComplete' && shares.get(m.transferId) === from.aci) {
      shares.delete(m.transferId); // the first answer ends the share
      const state = m.status === 'provisioned' ? 'completed' : m.status;
      report({ type: 'transfer', transferId: m.transferId, role: 'sender', state, ...(m.reason ? { reason: m.reason } : {}) });
    }
  });

  return {
    capabilities: { flows: ['stateless'] },
    async share(request) {
      const transferId = uuid();
      const recipient = await signal.lookup(request.recipient);
      if (!recipient) {
        report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'not-on-signal' });
        return { transferId };
      }
      await signal.send(recipient.aci, encode({
        type: 'ShareInvitation', version: PROTOCOL_VERSION, messageId: uuid(), transferId, flow: request.flow,
        format: request.format, displayInformation: { ...request.displayInformation },
        expiration: new Date(request.expiresAt).toISOString(), provisioningInformation: request.provisioningInformation,
      }));
      shares.set(transferId, recipient.aci);
      report({ type: 'transfer', transferId, role: 'sender', state: 'invited' });
      return { transferId };
    },
    async cancel(transferId) {
      const recipient = shares.get(transferId);
      if (!recipient) return;
      shares.delete(transferId);
      report({ type: 'transfer', transferId, role: 'sender', state: 'cancelled', reason: 'cancelled' });
      await signal.send(recipient, encode({ type: 'ShareCancel', version: PROTOCOL_VERSION, messageId: uuid(), transferId }));
    },
  };
}
