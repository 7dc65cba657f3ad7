/** Types of index.mjs (plain JavaScript: it runs before any TypeScript loader). */

/** The folder of the compiled harness for the current sources, or why there is none (then run the sources through tsx). */
/** `root`: the package's folder (another only in tests). */
export function compiledHarness(root?: string): Promise<{ dir: string; reason?: undefined } | { dir?: undefined; reason: string }>;

/** The compiled file of an entry in a build folder. */
export function entryFile(dir: string, entry: 'cli' | 'child' | 'steps'): string;
