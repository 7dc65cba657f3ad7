/**
 * TypeScript at run time in a compiled process (src/compiled/index.mjs): the harness is
 * JavaScript there, but an adapter, the reference app and the faulty apps are TypeScript
 * modules loaded by path. tsx is registered the first time one is needed; a process run through
 * tsx (not compiled) has it already.
 */

/** Replaced by the build's key in the compiled harness (esbuild `define`); unset under tsx. */
export const COMPILED = Boolean(process.env.SCT_COMPILED_BUILD);

let registered: Promise<void> | undefined;

/** Makes `import()` of a .ts file work in this process. */
export function allowTypeScript(): Promise<void> {
  if (!COMPILED) return Promise.resolve();
  registered ??= import('tsx/esm/api').then(({ register }) => void register());
  return registered;
}
