/**
 * The harness compiled to JavaScript, for the processes the CLI starts. Plain JavaScript (it runs
 * before any TypeScript loader): bin/sct-conformance.js calls it first.
 *
 * Why: under tsx, every module a process loads goes through tsx's loader hooks, which Node 20
 * runs on a separate thread: the CLI and each scenario process spent seconds of CPU loading ~150
 * of our modules and Cucumber's, more than a short run's scenarios (npm test starts hundreds of
 * them). Compiled once into a few files by esbuild, they load at Node's own speed; tsx is then
 * registered only to load what is TypeScript at run time (an adapter, the reference app).
 *
 * One esbuild build, entries with shared chunks (code splitting): `cli.mjs` (src/cli.ts),
 * `child.mjs` (src/run/child.ts), `steps.mjs` (every steps/**\/*.ts, in the order Cucumber
 * loads them) and the modules loaded by path (loadedByPath). Shared chunks keep one instance of each module a child and its step definitions
 * both use (the active scenario, the failures). Packages stay external (one Cucumber, one
 * libsignal). `import.meta.url` is replaced by each source file's own URL, so paths computed
 * from it (the package root, the reference app, the harness's folders in stack frames) are the
 * source tree's; source maps make stack frames name the TypeScript files, as under tsx.
 *
 * The output is cached under node_modules/.cache/sct-conformance/<hash>, keyed by the content of
 * every source file and of this one, the package's folder, esbuild's and Node's versions: an
 * edited file gives a new build, never a stale one. Concurrent CLI runs each build into a folder
 * of their own and rename it into place.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Folders whose TypeScript the compiled entries may import. */
const SOURCES = ['src', 'steps'];
/** Other builds (other versions of the sources) unused for this long are removed, beyond the most recent KEEP. */
const STALE_MS = 60 * 60_000;
const KEEP = 3;

/** Every .ts file under the source folders, sorted (the order of the hash). */
function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const folder of SOURCES) if (existsSync(join(root, folder))) walk(join(root, folder));
  return files.sort();
}

/** Where builds are kept: the package's node_modules/.cache, or the temporary folder when that cannot be written. */
function cacheRoot(root) {
  for (const dir of [join(root, 'node_modules', '.cache', 'sct-conformance'), join(tmpdir(), `sct-conformance-cache-${process.getuid?.() ?? 'user'}`)]) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // not writable: try the next
    }
  }
  return undefined;
}

/**
 * Modules the harness loads by path at run time, compiled too, each at its own path in the build
 * (src/fakes/x.ts -> <build>/src/fakes/x.mjs; `compiledModule` in typescript.ts finds them): the
 * reference app and the faulty and conforming apps, the quiet formatter and the snippet syntax
 * Cucumber imports. Then a run of our own apps never needs tsx, and they share the harness's
 * module instances, as when everything ran through tsx.
 */
function loadedByPath(root, files) {
  const extra = ['src/run/silent-formatter.ts', 'src/authoring/no-snippets.ts'].map((f) => join(root, f));
  return files.filter((f) => f.startsWith(join(root, 'src', 'fakes') + sep) || extra.includes(f));
}

/** The step definition files as Cucumber finds them (cucumber.mjs: `steps/**\/*.ts`, sorted by path). */
function stepFiles(root, files) {
  return files.filter((f) => f.startsWith(join(root, 'steps') + sep));
}

/**
 * `{ dir }`, the folder of the compiled harness for the current sources (built when missing), or
 * `{ reason }` when there can be none (no esbuild, no writable cache, a source that does not
 * compile): the caller then runs the TypeScript sources through tsx, as before. `root`: the
 * package's folder (another only in tests).
 */
export async function compiledHarness(root = PACKAGE_ROOT) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    return { reason: `esbuild is not installed (${error.message})` };
  }
  const files = sourceFiles(root);
  // The root too: the build holds its paths (import.meta.url), and a cache may be shared (the temporary folder).
  // This file too: how the build is made is part of what it is.
  const hash = createHash('sha256').update(`${esbuild.version} ${process.version} ${root}\n`).update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of files) hash.update(`${relative(root, file)}\n`).update(readFileSync(file)).update('\n');
  const key = hash.digest('hex').slice(0, 20);
  const cache = cacheRoot(root);
  if (!cache) return { reason: 'no writable cache folder' };
  const dir = join(cache, key);
  if (existsSync(join(dir, 'done'))) {
    touch(dir);
    return { dir };
  }

  const work = join(cache, `building-${process.pid}-${Date.now()}`);
  try {
    const steps = stepFiles(root, files);
    await esbuild.build({
      entryPoints: {
        cli: join(root, 'src/cli.ts'),
        child: join(root, 'src/run/child.ts'),
        steps: 'sct:steps',
        ...Object.fromEntries(loadedByPath(root, files).map((f) => [relative(root, f).replace(/\.ts$/, ''), f])),
      },
      outdir: work,
      // Paths in esbuild's messages are the package's (src/..., steps/...).
      absWorkingDir: root,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      // .mjs: ES modules wherever the cache is (the temporary folder has no package.json saying so).
      outExtension: { '.js': '.mjs' },
      // Stack frames map back to src/ and steps/ (src/sim/failures.ts tells the harness's frames from an app's by folder).
      sourcemap: 'linked',
      logLevel: 'silent',
      define: { 'process.env.SCT_COMPILED_BUILD': JSON.stringify(key) },
      plugins: [
        {
          name: 'sct-sources',
          setup(build) {
            build.onResolve({ filter: /^sct:steps$/ }, () => ({ path: 'steps', namespace: 'sct' }));
            build.onLoad({ filter: /.*/, namespace: 'sct' }, () => ({
              contents: steps.map((f) => `import ${JSON.stringify(f)};`).join('\n'),
              resolveDir: root,
              loader: 'js',
            }));
            // Each file's import.meta.url is its own source file's URL, as when tsx runs it.
            build.onLoad({ filter: /\.ts$/ }, (args) => {
              const source = readFileSync(args.path, 'utf8');
              return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
            });
          },
        },
      ],
    });
    writeFileSync(join(work, 'done'), `${new Date().toISOString()}\n`);
    try {
      renameSync(work, dir);
    } catch {
      // Another run built the same sources first: use its build.
      rmSync(work, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    // esbuild's first error, with where it is (its message's first line only says how many there were).
    const first = error.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    return { reason: `the harness could not be compiled: ${first ? `${where}${first.text}` : (error.message?.split('\n')[0] ?? error)}` };
  }
  prune(cache, key);
  return existsSync(join(dir, 'done')) ? { dir } : { reason: `the compiled harness is missing from ${dir}` };
}

/** Marks a build as used now (prune keeps the recently used). */
function touch(dir) {
  try {
    const now = new Date();
    utimesSync(join(dir, 'done'), now, now);
  } catch {
    // a build being pruned by another run: it is rebuilt next time
  }
}

/**
 * Removes other builds (other versions of the sources, abandoned attempts) beyond the KEEP most
 * recently used, once unused for STALE_MS (a run starts its processes from its build: a long
 * run of many apps may still start one an hour after it began). Development makes a build per edit; an installed package one per upgrade.
 */
function prune(cache, current) {
  const used = (name) => {
    try {
      return statSync(existsSync(join(cache, name, 'done')) ? join(cache, name, 'done') : join(cache, name)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const others = readdirSync(cache).filter((name) => name !== current).sort((a, b) => used(b) - used(a));
  for (const name of others.slice(KEEP - 1)) {
    if (Date.now() - used(name) > STALE_MS) rmSync(join(cache, name), { recursive: true, force: true });
  }
}

/** The compiled file of an entry (`cli`, `child`, `steps`) in a build folder. */
export function entryFile(dir, entry) {
  return join(dir, `${entry}.mjs`);
}
