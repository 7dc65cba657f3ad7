/**
 * Loads a credential-app adapter from a module path and checks it fits the contract, with errors
 * that name what is missing. `SCT_ADAPTER=<path>` selects the module; the default is the bundled
 * reference app.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { CredentialApp, CredentialAppContext, CredentialAppFactory, Flow } from './contract.ts';
import { allowTypeScript, compiledModule } from '../compiled/typescript.ts';

export const REFERENCE_ADAPTER = fileURLToPath(new URL('../fakes/reference-app.ts', import.meta.url));

export class AdapterError extends Error {
  override name = 'AdapterError';
}

export interface LoadedAdapter {
  /** The path as given, for messages. */
  spec: string;
  /** An in-process factory ignores the second argument; an app in its own process needs it. */
  factory: (context: CredentialAppContext, instance: InstanceInfo) => ReturnType<CredentialAppFactory>;
}

/** What the harness tells an adapter about the phone it makes an app for, beyond the app's context. */
export interface InstanceInfo {
  /** The phone, e.g. "Alice's phone". */
  phone: string;
  /** The seed of the phone's `random` stream (src/sim/random.ts): an app in its own process draws from the same. */
  seed: number;
  /** Fails the scenario the phone is in (for what an app process does outside any call). */
  fail(message: string): void;
}

/** `--adapter-cmd "<command line>"` travels to the scenario runner as this prefix on the adapter spec. */
export const COMMAND_PREFIX = 'cmd:';

/** Whether a spec names an app in its own process: a manifest (`*.json`) or a command. */
export function isProcessSpec(spec: string): boolean {
  return spec.startsWith(COMMAND_PREFIX) || spec.endsWith('.json');
}

/** The adapter this run uses: `SCT_ADAPTER`, or the reference app. */
export function adapterSpec(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCT_ADAPTER?.trim() || REFERENCE_ADAPTER;
}

export async function loadAdapter(spec: string, cwd = process.cwd()): Promise<LoadedAdapter> {
  if (isProcessSpec(spec)) {
    const { readManifest, commandManifest } = await import('./process/manifest.ts');
    const { processAdapter } = await import('./process/process-adapter.ts');
    if (spec.startsWith(COMMAND_PREFIX)) return processAdapter(commandManifest(spec.slice(COMMAND_PREFIX.length), cwd));
    const manifest = resolve(cwd, spec);
    if (!existsSync(manifest)) throw new AdapterError(`Adapter manifest "${spec}" was not found (looked for ${manifest})`);
    return processAdapter(readManifest(manifest, spec));
  }
  const path = resolve(cwd, spec);
  if (!existsSync(path)) {
    throw new AdapterError(`Adapter module "${spec}" was not found (looked for ${path})`);
  }
  let module: Record<string, unknown>;
  try {
    // Our own apps have compiled copies in a compiled process; any other module may be TypeScript.
    const compiled = compiledModule(path);
    if (!compiled) await allowTypeScript();
    module = commonJsExports((await import(pathToFileURL(compiled ?? path).href)) as Record<string, unknown>);
  } catch (error) {
    throw new AdapterError(`Adapter module "${spec}" failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const factory = module.default ?? module.createCredentialApp;
  if (typeof factory !== 'function') {
    if ('default' in module && module.default !== undefined && module.default !== null && typeof module.default !== 'object') {
      throw new AdapterError(`Adapter module "${spec}" has a default export that is a ${typeof module.default}, not a function: export the factory (context) => app`);
    }
    // An empty TypeScript file compiled as CommonJS exports only an empty `default`: say so plainly.
    const found = Object.keys(module).filter((key) => !(key === 'default' && isEmpty(module.default))).sort().join(', ') || 'nothing';
    throw new AdapterError(
      `Adapter module "${spec}" exports no factory: export a function as the default export or as ` +
        `"createCredentialApp" (it exports: ${found})`,
    );
  }
  return { spec, factory: factory as CredentialAppFactory };
}

const FLOWS: Flow[] = ['stateless', 'stateful'];

/** Checks what a factory returned; throws an AdapterError listing every problem. */
export function checkApp(app: unknown, spec: string): CredentialApp {
  const problems: string[] = [];
  if (typeof app !== 'object' || app === null) {
    throw new AdapterError(`The factory of adapter "${spec}" returned ${app === null ? 'null' : typeof app}, not an app object`);
  }
  const a = app as Record<string, unknown>;
  for (const method of ['share', 'cancel'] as const) {
    if (typeof a[method] !== 'function') problems.push(`${method}() is missing (must be a function)`);
  }
  if (a.stop !== undefined && typeof a.stop !== 'function') problems.push('stop is not a function');
  const caps = a.capabilities as { flows?: unknown } | undefined;
  if (caps !== undefined) {
    if (typeof caps !== 'object' || caps === null) problems.push('capabilities is not an object');
    else if (caps.flows !== undefined) {
      // An empty list would have every stateful scenario skipped and claim nothing: at least one flow.
      if (!Array.isArray(caps.flows) || caps.flows.length === 0 || caps.flows.some((f) => !FLOWS.includes(f as Flow))) {
        problems.push(`capabilities.flows must list some of: ${FLOWS.join(', ')}`);
      }
    }
  }
  if (problems.length) {
    throw new AdapterError(`The app from adapter "${spec}" does not fit the contract:\n- ${problems.join('\n- ')}`);
  }
  return app as CredentialApp;
}

/** Which flows an app supports (both, unless it says otherwise). */
export function supportedFlows(app: CredentialApp): Flow[] {
  return app.capabilities?.flows ?? FLOWS;
}

/** An empty object (what a CommonJS module with no exports offers as its default). */
function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/**
 * A CommonJS module (a TypeScript adapter in a CommonJS project, compiled by tsx) as Node's
 * import gives it when tsx was registered after start-up (the compiled harness registers it when
 * an adapter needs it): all its exports under `default`, `exports.default` among them. Its own
 * exports then stand as the module's, as they do when tsx runs from the start.
 */
function commonJsExports(module: Record<string, unknown>): Record<string, unknown> {
  const exports = module.default as Record<string, unknown> | null | undefined;
  const compiledEsModule = typeof exports === 'object' && exports !== null && exports.__esModule === true;
  return compiledEsModule && Object.keys(module).every((key) => key === 'default' || key === 'module.exports') ? { ...exports } : module;
}
