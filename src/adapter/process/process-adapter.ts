/**
 * An adapter whose app runs in its own process and speaks the adapter protocol
 * (docs/adapter-protocol.md): to the harness it is an ordinary adapter factory, each app a
 * CredentialApp whose methods are calls over the pipe, and each of the app's requests is served
 * from the phone's context exactly as an in-process app's would be. So everything the harness does
 * for an in-process app (the contract checks, the hang guard, virtual time) holds here unchanged.
 *
 * Virtual time needs nothing more: the harness runs one task at a time (src/sim/scheduler.ts),
 * and a task that calls the app waits for the answer, serving the app's requests meanwhile.
 */
import { Buffer } from 'node:buffer';
import { SignalSendError, type CredentialApp, type CredentialAppContext, type Flow, type TimerId } from '../contract.ts';
import type { InstanceInfo, LoadedAdapter } from '../load.ts';
import { RPC, RpcError } from '../rpc/connection.ts';
import { ADAPTER_PROTOCOL_VERSION, SEND_FAILED_CODE, appCalls, appNotifications, harnessCalls } from '../rpc/schema.ts';
import { z } from 'zod';
import { AppProcess } from './app-process.ts';
import { AppAssertionError } from '../../sim/failures.ts';
import type { Manifest } from './manifest.ts';

const REPORT_ENVELOPE = z.object({ instance: z.string().min(1), event: z.unknown() });

/** One phone's app inside a process. */
interface Instance {
  name: string;
  context: CredentialAppContext;
  info: InstanceInfo;
  /** The app's pending timers: its ids to the clock's. */
  timers: Map<string, TimerId>;
  /** `self` as the app last heard it (JSON). */
  self?: string;
}

/** A process and the instances it hosts. */
interface Hosting {
  process: AppProcess;
  instances: Map<string, Instance>;
  /** The app's stderr lines not yet in a trace. */
  stderr: string[];
}

export function processAdapter(manifest: Manifest): LoadedAdapter {
  let shared: Hosting | undefined;
  let created = 0;

  const start = (): Hosting => {
    const hosting: Hosting = { instances: new Map(), stderr: [] } as unknown as Hosting;
    hosting.process = new AppProcess(manifest, {
      handlers: {
        request: (method, params) => serve(hosting, method, params),
        notification: (method, params) => heard(hosting, method, params),
      },
      // Kept until an instance stops: lines on their own pipe arrive at no fixed point among the
      // harness's events, and written at once they would make traces differ run to run.
      stderr: (line) => void hosting.stderr.push(line),
      failed: (message) => {
        if (shared === hosting) shared = undefined; // the next phone gets a fresh process
        for (const instance of hosting.instances.values()) instance.info.fail(message);
      },
    });
    return hosting;
  };

  const factory = async (context: CredentialAppContext, info: InstanceInfo): Promise<CredentialApp> => {
    const hosting = manifest.instances === 'per-phone' ? start() : shared?.process.usable ? shared : (shared = start());
    const name = `${++created}:${info.phone}`;
    const instance: Instance = { name, context, info, timers: new Map() };
    hosting.instances.set(name, instance);
    const call = async <M extends keyof typeof harnessCalls>(method: M, params: Omit<z.infer<(typeof harnessCalls)[M]['params']>, 'instance' | 'now'>) => {
      if (method !== 'initialize') tellSelf(hosting, instance);
      const result = await hosting.process.call(method, { instance: name, now: context.clock.now(), ...params });
      const checked = harnessCalls[method].result.safeParse(result);
      if (!checked.success) throw new AppAssertionError(`${hosting.process.name} answered "${method}" with ${JSON.stringify(result)}: ${problems(checked.error)}`);
      return checked.data as z.infer<(typeof harnessCalls)[M]['result']>;
    };

    context.signal.onMessage(async (m) => {
      await call('message', { from: m.from, bytes: Buffer.from(m.bytes).toString('base64'), sentAt: m.sentAt, serverTimestamp: m.serverTimestamp });
    });
    context.signal.onIdentityChanged((aci) => {
      tellSelf(hosting, instance);
      hosting.process.notify('identityChanged', { instance: name, now: context.clock.now(), aci });
    });
    context.signal.onIdentityConfirmed(async (aci) => {
      await call('identityConfirmed', { aci });
    });

    instance.self = JSON.stringify(context.signal.self);
    let hello: z.infer<typeof harnessCalls.initialize.result>;
    try {
      hello = await call('initialize', { protocolVersion: ADAPTER_PROTOCOL_VERSION, self: { ...context.signal.self }, seed: info.seed });
      const announced = hello.capabilities?.flows ?? ['stateless', 'stateful'];
      if (manifest.capabilities && !sameFlows(manifest.capabilities.flows, announced)) {
        throw new AppAssertionError(`${hosting.process.name} announced the flows ${JSON.stringify(announced)} but its manifest expects ${JSON.stringify(manifest.capabilities.flows)}`);
      }
    } catch (error) {
      // No app for this phone: nothing will stop the instance.
      hosting.instances.delete(name);
      if (manifest.instances === 'per-phone') hosting.process.stop();
      throw error;
    }
    const flows = hello.capabilities?.flows;
    context.log(`app ${hello.name} started (adapter protocol ${ADAPTER_PROTOCOL_VERSION})`);
    return {
      ...(flows ? { capabilities: { flows } } : {}),
      share: (request) => call('share', { request }),
      cancel: async (transferId) => {
        await call('cancel', { transferId });
      },
      stop: async () => {
        try {
          if (hosting.process.usable) await call('stop', {});
        } finally {
          // The app's stderr since the last stop goes into this scenario's trace, as its log.
          for (const line of hosting.stderr.splice(0)) context.log(line, { stream: 'stderr' });
          for (const timer of instance.timers.values()) context.clock.clearTimeout(timer);
          hosting.instances.delete(name);
          if (manifest.instances === 'per-phone') hosting.process.stop();
        }
      },
    };
  };

  /** Signal registered again on the phone (a new account, a new device): the app hears it before its next call. */
  function tellSelf(hosting: Hosting, instance: Instance): void {
    const self = JSON.stringify(instance.context.signal.self);
    if (self === instance.self) return;
    instance.self = self;
    hosting.process.notify('selfChanged', { instance: instance.name, now: instance.context.clock.now(), self: JSON.parse(self) });
  }

  /** Serves a call the app made. */
  async function serve(hosting: Hosting, method: string, params: unknown): Promise<unknown> {
    const spec = appCalls[method as keyof typeof appCalls];
    if (!spec) throw new RpcError(RPC.methodNotFound, `no method "${method}" (the app may call: ${Object.keys(appCalls).join(', ')})`);
    const { context } = instanceOf(hosting, method, spec.params, params);
    const p = params as Record<string, string>;
    try {
      if (method === 'now') return { now: context.clock.now() };
      if (method === 'lookup') {
        const account = await context.signal.lookup(p.recipient!);
        return { account: account ? { aci: account.aci, ...(account.number ? { number: account.number } : {}) } : null };
      }
      return await context.signal.send(p.recipient!, new Uint8Array(Buffer.from(p.bytes!, 'base64')));
    } catch (error) {
      if (error instanceof SignalSendError) {
        throw new RpcError(SEND_FAILED_CODE, error.message, { kind: error.kind, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) });
      }
      // A contract error (a bad recipient) already failed the scenario: the app hears it too.
      throw new RpcError(RPC.invalidParams, error instanceof Error ? error.message : String(error));
    }
  }

  /** Handles a notification from the app. */
  function heard(hosting: Hosting, method: string, params: unknown): void {
    const spec = appNotifications[method as keyof typeof appNotifications];
    if (!spec) {
      const known = [...Object.keys(appNotifications), ...Object.keys(appCalls)].join(', ');
      return failAll(hosting, `${hosting.process.name} sent the notification "${method}", which the protocol does not have (the app may send: ${known})`);
    }
    let instance: Instance;
    try {
      // A report's event is checked at the boundary, as an in-process app's is, with the same messages.
      instance = instanceOf(hosting, method, method === 'report' ? REPORT_ENVELOPE : spec, params);
    } catch (error) {
      return failAll(hosting, (error as Error).message);
    }
    const { context } = instance;
    const p = params as Record<string, unknown>;
    switch (method) {
      case 'log':
        return context.log(p.message as string, p.detail as Record<string, unknown> | undefined);
      case 'report':
        // Checked at the boundary like an in-process report (src/adapter/checks.ts); a bad one fails the scenario there.
        try {
          context.report(p.event as never);
        } catch {
          // recorded as the scenario's failure already
        }
        return;
      case 'setTimer': {
        const id = p.id as string;
        if (instance.timers.has(id)) return instance.info.fail(`${hosting.process.name} set the timer "${id}" while one of that id was pending (instance ${instance.name})`);
        try {
          const timer = context.clock.setTimeout(async () => {
            instance.timers.delete(id);
            tellSelf(hosting, instance);
            const result = await hosting.process.call('timer', { instance: instance.name, now: context.clock.now(), id });
            if (result !== null) throw new AppAssertionError(`${hosting.process.name} answered "timer" with ${JSON.stringify(result)}, not null`);
          }, p.ms as number);
          instance.timers.set(id, timer);
        } catch {
          // a bad delay: recorded as the scenario's failure by the clock
        }
        return;
      }
      case 'clearTimer': {
        const timer = instance.timers.get(p.id as string);
        if (timer !== undefined) context.clock.clearTimeout(timer);
        instance.timers.delete(p.id as string);
        return;
      }
    }
  }

  /** The instance a message is for, its params checked; an RpcError naming the problem otherwise. */
  function instanceOf(hosting: Hosting, method: string, schema: z.ZodType, params: unknown): Instance {
    const checked = schema.safeParse(params);
    if (!checked.success) {
      const message = `${hosting.process.name} sent "${method}" with ${excerptOf(params)}: ${problems(checked.error)}`;
      failAll(hosting, message);
      throw new RpcError(RPC.invalidParams, message);
    }
    const name = (params as { instance: string }).instance;
    const instance = hosting.instances.get(name);
    if (!instance) {
      const message = `${hosting.process.name} sent "${method}" for the instance "${name}", which is not running (running: ${[...hosting.instances.keys()].join(', ') || 'none'})`;
      failAll(hosting, message);
      throw new RpcError(RPC.invalidParams, message);
    }
    return instance;
  }

  function failAll(hosting: Hosting, message: string): void {
    for (const instance of hosting.instances.values()) instance.info.fail(message);
  }

  return { spec: manifest.spec, factory };
}

function sameFlows(a: Flow[], b: Flow[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(the value)'}: ${i.message}`).join('; ');
}

function excerptOf(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
