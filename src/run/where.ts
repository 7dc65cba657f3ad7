/**
 * Paths and commands as the user types them where they run the suite: inside a clone of this
 * repository (its npm script, paths from its root) or in a project that installed it (npx, paths
 * from that project's folder). The CLI records the user's folder in SCT_CWD before it starts the
 * scenario runner, so the child process prints the same as the supervisor.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's root. */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The folder the user ran the command in. */
export function userFolder(): string {
  return resolve(process.env.SCT_CWD || process.cwd());
}

const inside = (folder: string, root: string) => {
  const rel = relative(root, folder);
  return !rel.startsWith('..') && !rel.startsWith('/');
};

/** The command that runs the suite, for replay lines: `npm run conformance --` in the clone, else `npx sct-conformance run`. */
export function runCommand(): string {
  return inside(userFolder(), PACKAGE_ROOT) ? 'npm run conformance --' : 'npx sct-conformance run';
}

/**
 * A feature path (relative to the package root, as Cucumber names it) as the user would type it:
 * the package's own features keep their name (the CLI finds them from any folder); a feature of
 * the user's own is relative to where they are.
 */
export function featurePath(uri: string): string {
  const path = resolve(PACKAGE_ROOT, uri);
  if (inside(path, PACKAGE_ROOT)) return uri;
  return relative(userFolder(), path) || path;
}

/** A file of this package (e.g. `docs/steps.md`) as the user can open it from where they are. */
export function packageFile(file: string): string {
  if (inside(userFolder(), PACKAGE_ROOT)) return file;
  return relative(userFolder(), resolve(PACKAGE_ROOT, file));
}
