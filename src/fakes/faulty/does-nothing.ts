/**
 * A deliberately hollow credential app: it does nothing at all. share() hands back a fresh
 * transfer id and sends nothing; every message is received and ignored; nothing is reported.
 * No scenario in which the app under test has something to do may pass with it
 * (test/hollow-apps.test.ts).
 */
import type { CredentialApp, CredentialAppContext } from '../../adapter/contract.ts';
import { randomUuid } from '../../protocol/messages.ts';

export default function createCredentialApp(ctx: CredentialAppContext): CredentialApp {
  ctx.signal.onMessage(() => {});
  return {
    async share() {
      return { transferId: randomUuid(ctx.random) };
    },
    async cancel() {},
  };
}
