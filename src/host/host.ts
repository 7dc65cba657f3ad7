/**
 * `sct-conformance host <module>`: runs an in-process adapter (any module the `--adapter` option
 * takes) behind the adapter protocol, on this process's stdin and stdout. With it the reference app,
 * or any TypeScript app, runs out of process exactly as an app in another language would: the
 * equivalence test compares its traces with the same app in process.
 *
 * Everything the protocol needs on the app's side is here, in about the size an implementer would
 * write in their own language (the Python example's `sct_adapter.py` is the same thing).
 */
import { Buffer } from 'node:buffer';
import { SignalSendError, type CredentialApp, type CredentialAppContext, type IncomingMessage, type SignalSendErrorKind } from '../adapter/contract.ts';
import { loadAdapter, type LoadedAdapter } from '../adapter/load.ts';
import { LineSplitter, RPC, RpcConnection, RpcError } from '../adapter/rpc/connection.ts';
import { ADAPTER_PROTOCOL_VERSION, SEND_FAILED_CODE, harnessCalls, harnessNotifications } from '../adapter/rpc/schema.ts';
import { createRandom } from '../sim/random.ts';

/** One phone's app, as the harness named it in `initialize`. */
interface HostedApp {
  app: CredentialApp;
  now: number;
  self: CredentialAppContext['signal']['self'];
  timers: Map<string, () => void | Promise<void>>;
  handlers: {
    message?: (m: IncomingMessage) => void | Promise<void>;
    changed?: (aci: string) => void;
    confirmed?: (aci: string) => void | Promise<void>;
  };
}

export async function hostMain(argv: string[]): Promise<number> {
  const [spec, ...rest] = argv;
  if (!spec || rest.length || spec.startsWith('-')) {
    process.stderr.write('Usage: sct-conformance host <adapter module>\nRuns the adapter behind the adapter protocol (docs/adapter-protocol.md) on stdin and stdout.\n');
    return 2;
  }
  // stdout carries the protocol alone: whatever the app prints goes to stderr, its log.
  const protocolOut = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  for (const method of ['log', 'info', 'debug'] as const) console[method] = console.error;

  const adapter = await loadAdapter(spec);
  const apps = new Map<string, HostedApp>();
  const rpc: RpcConnection = new RpcConnection((line) => void protocolOut(`${line}\n`), {
    request: (method, params) => answer(adapter, apps, rpc, method, params),
    notification: (method, params) => {
      if (method === 'identityChanged') {
        const p = harnessNotifications.identityChanged.parse(params);
        const hosted = hostedOf(apps, p.instance);
        hosted.now = p.now;
        hosted.handlers.changed?.(p.aci);
      } else if (method === 'selfChanged') {
        const p = harnessNotifications.selfChanged.parse(params);
        hostedOf(apps, p.instance).self = p.self;
      } else process.stderr.write(`host: unknown notification "${method}" ignored\n`);
    },
    protocolError: (problem) => process.stderr.write(`host: the harness ${problem}\n`),
  });
  const lines = new LineSplitter(
    (line) => rpc.receive(line),
    (length) => process.stderr.write(`host: a line of ${length} characters from the harness, dropped\n`),
  );
  process.stdin.on('data', (chunk: Buffer) => lines.push(chunk));
  await new Promise<void>((resolve) => process.stdin.on('end', resolve));
  return 0;
}

function hostedOf(apps: Map<string, HostedApp>, instance: string): HostedApp {
  const hosted = apps.get(instance);
  if (!hosted) throw new RpcError(RPC.invalidParams, `no instance "${instance}" (initialize it first)`);
  return hosted;
}

async function answer(adapter: LoadedAdapter, apps: Map<string, HostedApp>, rpc: RpcConnection, method: string, params: unknown): Promise<unknown> {
  const spec = harnessCalls[method as keyof typeof harnessCalls];
  if (!spec) throw new RpcError(RPC.methodNotFound, `no method "${method}"`);
  const checked = spec.params.safeParse(params);
  if (!checked.success) throw new RpcError(RPC.invalidParams, checked.error.message);
  const p = checked.data as Record<string, unknown> & { instance: string; now: number };
  if (method === 'initialize') return initialize(adapter, apps, rpc, p as never);
  const hosted = hostedOf(apps, p.instance);
  hosted.now = p.now;
  switch (method) {
    case 'share':
      return hosted.app.share(p.request as never);
    case 'cancel':
      await hosted.app.cancel(p.transferId as string);
      return null;
    case 'message': {
      const from = p.from as IncomingMessage['from'];
      await hosted.handlers.message?.({ from, bytes: new Uint8Array(Buffer.from(p.bytes as string, 'base64')), sentAt: p.sentAt as number, serverTimestamp: p.serverTimestamp as number });
      return null;
    }
    case 'identityConfirmed':
      await hosted.handlers.confirmed?.(p.aci as string);
      return null;
    case 'timer': {
      const callback = hosted.timers.get(p.id as string);
      hosted.timers.delete(p.id as string);
      await callback?.();
      return null;
    }
    case 'stop':
      await hosted.app.stop?.();
      apps.delete(p.instance);
      return null;
  }
  throw new RpcError(RPC.methodNotFound, `no method "${method}"`);
}

async function initialize(
  adapter: LoadedAdapter,
  apps: Map<string, HostedApp>,
  rpc: RpcConnection,
  p: { protocolVersion: string; instance: string; self: CredentialAppContext['signal']['self']; seed: number; now: number },
): Promise<unknown> {
  if (p.protocolVersion !== ADAPTER_PROTOCOL_VERSION) throw new RpcError(RPC.invalidParams, `this host speaks adapter protocol ${ADAPTER_PROTOCOL_VERSION}, not ${p.protocolVersion}`);
  const instance = p.instance;
  const hosted = { now: p.now, self: p.self, timers: new Map(), handlers: {} } as unknown as HostedApp;
  let nextTimer = 1;
  const random = createRandom(p.seed);
  const failure = (error: unknown) => {
    if (error instanceof RpcError && error.code === SEND_FAILED_CODE) {
      const data = error.data as { kind: SignalSendErrorKind; retryAfterMs?: number };
      return new SignalSendError(data.kind, error.message, data.retryAfterMs);
    }
    return error;
  };
  const context: CredentialAppContext = {
    signal: {
      get self() {
        return hosted.self;
      },
      lookup: async (recipient) => {
        try {
          const { account } = (await rpc.call('lookup', { instance, recipient })) as { account: { aci: string; number?: string } | null };
          return account ?? undefined;
        } catch (error) {
          throw failure(error);
        }
      },
      send: async (recipient, bytes) => {
        try {
          return (await rpc.call('send', { instance, recipient, bytes: Buffer.from(bytes).toString('base64') })) as { to: string; timestamp: number };
        } catch (error) {
          throw failure(error);
        }
      },
      onMessage: (handler) => void (hosted.handlers.message = handler),
      onIdentityChanged: (handler) => void (hosted.handlers.changed = handler),
      onIdentityConfirmed: (handler) => void (hosted.handlers.confirmed = handler),
    },
    clock: {
      // Time stands still while a call is unanswered: the call's `now` is now.
      now: () => hosted.now,
      setTimeout: (callback, ms) => {
        const id = nextTimer++;
        hosted.timers.set(String(id), callback);
        rpc.notify('setTimer', { instance, id: String(id), ms });
        return id;
      },
      clearTimeout: (id) => {
        if (!hosted.timers.delete(String(id))) return;
        rpc.notify('clearTimer', { instance, id: String(id) });
      },
    },
    random: () => random.next(),
    log: (message, detail) => rpc.notify('log', { instance, message, ...(detail === undefined ? {} : { detail }) }),
    report: (event) => rpc.notify('report', { instance, event }),
  };
  hosted.app = await adapter.factory(context, { phone: instance, seed: p.seed, fail: (m) => process.stderr.write(`${m}\n`) });
  apps.set(instance, hosted);
  return { name: adapter.spec, ...(hosted.app.capabilities ? { capabilities: hosted.app.capabilities } : {}) };
}
