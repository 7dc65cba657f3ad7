/**
 * A minimal credential-app adapter: the stateless flow in one screen, with retries. It passes
 * the stateless suite (test/faulty-apps.test.ts runs it) and shows the whole contract:
 *
 *   SCT_ADAPTER=examples/minimal-adapter.ts npm run conformance
 *
 * It imports the package by name, as an adapter in an implementer's own repository does (inside
 * this repository the name resolves to itself): copy it as it is.
 * A real adapter forwards these calls to the credential app under test instead.
 */
import { SignalSendError, type CredentialApp, type CredentialAppContext } from 'sct-conformance/contract';
import { PROTOCOL_VERSION, decode, encode, randomUuid, type ProtocolMessage } from 'sct-conformance/protocol';

export default function createCredentialApp({ signal, clock, random, report }: CredentialAppContext): CredentialApp {
  const uuid = () => randomUuid(random); // seeded, so runs replay
  const shares = new Map<string, string>(); // transferId -> recipient ACI (as sender)
  const handled = new Set<string>(); // transferIds seen (as receiver): provision once

  /**
   * Sends, and on a passing failure tries again later on the simulated clock (never waits in a
   * handler), while `wanted()` says the message still matters (a cancelled share's invitation does not).
   */
  function send(to: string, message: ProtocolMessage, done: (ok: boolean) => void = () => {}, wanted = () => true, attempt = 1): Promise<void> {
    return signal.send(to, encode(message)).then(
      () => done(true),
      (error: unknown) => {
        const passing = error instanceof SignalSendError && (error.kind === 'transient' || error.kind === 'rate-limited');
        if (!passing || attempt >= 8) return done(false);
        const wait = Math.max(1000 * 2 ** (attempt - 1), error.retryAfterMs ?? 0); // never before Retry-After
        clock.setTimeout(() => (wanted() ? send(to, message, done, wanted, attempt + 1) : undefined), wait);
      },
    );
  }
  const answer = (to: string, transferId: string, status: 'provisioned' | 'failed', reason?: 'expired' | 'unsupported' | 'malformed') =>
    send(to, { type: 'TransferComplete', version: PROTOCOL_VERSION, messageId: uuid(), transferId, status, ...(reason ? { reason } : {}) });

  signal.onMessage(async ({ from, bytes }) => {
    const decoded = decode(bytes);
    if (!decoded.ok) {
      // Answer a malformed invitation, if we can tell which transfer it was.
      if (decoded.type === 'ShareInvitation' && decoded.transferId && !handled.has(decoded.transferId)) {
        handled.add(decoded.transferId);
        report({ type: 'transfer', transferId: decoded.transferId, role: 'receiver', state: 'failed', reason: 'malformed' });
        await answer(from.aci, decoded.transferId, 'failed', 'malformed');
      }
      return;
    }
    const m = decoded.message;
    if (m.type === 'ShareCancel' && !handled.has(m.transferId)) {
      handled.add(m.transferId); // a cancel that overtook its invitation: provision nothing
      report({ type: 'transfer', transferId: m.transferId, role: 'receiver', state: 'cancelled', reason: 'cancelled' });
    }
    if (m.type === 'ShareInvitation' && !handled.has(m.transferId)) {
      handled.add(m.transferId);
      // Another protocol version, or a flow this app does not do: unsupported. Past its expiration: expired.
      const unsupported = m.version !== PROTOCOL_VERSION || m.flow !== 'stateless';
      const expired = Date.parse(m.expiration) <= clock.now();
      if (unsupported || expired) {
        const reason = unsupported ? 'unsupported' : 'expired';
        report({ type: 'transfer', transferId: m.transferId, role: 'receiver', state: 'failed', reason });
        await answer(from.aci, m.transferId, 'failed', reason);
        return;
      }
      report({ type: 'provisioned', transferId: m.transferId, from: from.aci, format: m.format, title: m.displayInformation.title, provisioningInformation: m.provisioningInformation });
      report({ type: 'transfer', transferId: m.transferId, role: 'receiver', state: 'provisioned' });
      await answer(from.aci, m.transferId, 'provisioned');
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
      const recipient = await signal.lookup(request.recipient).catch((error: unknown) => {
        // This phone's own account is gone: say so, send nothing.
        if (error instanceof SignalSendError && error.kind === 'sender-not-registered') return null;
        throw error;
      });
      if (recipient === null) {
        report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'sender-not-registered' });
        return { transferId };
      }
      if (!recipient) {
        report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'not-on-signal' });
        return { transferId };
      }
      shares.set(transferId, recipient.aci);
      const invitation: ProtocolMessage = {
        type: 'ShareInvitation', version: PROTOCOL_VERSION, messageId: uuid(), transferId, flow: request.flow,
        format: request.format, displayInformation: { ...request.displayInformation },
        expiration: new Date(request.expiresAt).toISOString(), provisioningInformation: request.provisioningInformation,
      };
      const live = () => shares.has(transferId); // not yet answered or cancelled
      await send(
        recipient.aci,
        invitation,
        (ok) => {
          if (!live()) return;
          if (ok) report({ type: 'transfer', transferId, role: 'sender', state: 'invited' });
          else {
            shares.delete(transferId);
            report({ type: 'transfer', transferId, role: 'sender', state: 'failed', reason: 'send-failed' });
          }
        },
        live,
      );
      return { transferId };
    },
    async cancel(transferId) {
      const recipient = shares.get(transferId);
      if (!recipient) return;
      shares.delete(transferId);
      report({ type: 'transfer', transferId, role: 'sender', state: 'cancelled', reason: 'cancelled' });
      await send(recipient, { type: 'ShareCancel', version: PROTOCOL_VERSION, messageId: uuid(), transferId });
    },
  };
}
