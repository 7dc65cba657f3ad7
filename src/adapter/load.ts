/**
 * Loads a credential-app adapter from a module path and checks it fits the contract, with errors
 * that name what is missing. `SCT_ADAPTER=<path>` selects the module; the default is the bundled
 * reference app.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { CredentialApp, CredentialAppFactory, Flow } from './contract.ts';

export const REFERENCE_ADAPTER = fileURLToPath(new URL('../fakes/reference-app.ts', import.meta.url));

export class AdapterError extends Error {
  override name = 'AdapterError';
}

export interface LoadedAdapter {
  /** The path as given, for messages. */
  spec: string;
  factory: CredentialAppFactory;
}

/** The adapter this run uses: `SCT_ADAPTER`, or the reference app. */
export function adapterSpec(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCT_ADAPTER?.trim() || REFERENCE_ADAPTER;
}

export async function loadAdapter(spec: string, cwd = process.cwd()): Promise<LoadedAdapter> {
  const path = resolve(cwd, spec);
  if (!existsSync(path)) {
    throw new AdapterError(`Adapter module "${spec}" was not found (looked for ${path})`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AdapterError(`Adapter module "${spec}" failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const factory = module.default ?? module.createCredentialApp;
  if (typeof factory !== 'function') {
    const found = Object.keys(module).sort().join(', ') || 'nothing';
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
