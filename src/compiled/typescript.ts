/**
 * Modules loaded by path in a compiled process (src/compiled/index.mjs): our own (the reference,
 * faulty and conforming apps, the formatter and snippet syntax Cucumber imports) have compiled
 * copies in the build; anything else (an implementer's adapter) is TypeScript, for which tsx is
 * registered the first time one is needed. A process run through tsx (not compiled) has it already.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Replaced by the build's key in the compiled harness (esbuild `define`); unset under tsx. */
export const COMPILED = Boolean(process.env.SCT_COMPILED_BUILD);

let registered: Promise<void> | undefined;

/** Makes `import()` of a .ts file work in this process. */
export function allowTypeScript(): Promise<void> {
  if (!COMPILED) return Promise.resolve();
  // What `node --import tsx` loads: tsx's ESM hooks and its require hook (a CommonJS project's
  // adapter requires the package's TypeScript modules: the ESM hooks alone cannot serve that).
  registered ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    esm.register();
    cjs.register();
  });
  return registered;
}

/** The compiled copy of a source module of this package (an absolute path), when this process runs compiled and the build has one. */
export function compiledModule(path: string): string | undefined {
  const build = COMPILED ? process.env.SCT_COMPILED : undefined;
  if (!build || !path.startsWith(SOURCES + sep) || !path.endsWith('.ts')) return undefined;
  const copy = join(build, relative(SOURCES, path).replace(/\.ts$/, '.mjs'));
  return existsSync(copy) ? copy : undefined;
}
