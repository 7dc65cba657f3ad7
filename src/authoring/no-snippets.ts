/**
 * No code for an undefined step, anywhere a run writes. Cucumber answers a step that binds to
 * nothing with a step definition to paste ("Implement with the following snippet: ... return
 * 'pending'"): right for whoever writes step definitions, wrong for whoever writes scenarios, to
 * whom it means a typo. Two places make it:
 * - the snippet syntax (the `snippetSyntax` format option, NO_SNIPPETS), which writes the
 *   "snippet" of the Cucumber messages report and of the pretty formatter's failure list: here a
 *   sentence pointing to the catalog instead of code;
 * - the pretty formatter's header before it, fixed in Cucumber: withoutSnippetHeader rewrites it
 *   on the way to stdout.
 * The closest sentences themselves are in the run's summary (src/authoring/suggest.ts), which
 * knows the typed text (a snippet syntax is given only the expressions Cucumber generated).
 */
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledModule } from '../compiled/typescript.ts';
import { CATALOG } from './suggest.ts';

/** This module, as the `snippetSyntax` format option names it (its compiled copy in a compiled process). */
export const NO_SNIPPETS = pathToFileURL(compiledModule(fileURLToPath(import.meta.url)) ?? fileURLToPath(import.meta.url)).href;

/** What stands where Cucumber would put a snippet. */
export const NOT_A_SNIPPET = `not a sentence of the step catalog: the closest ones are listed at the end of the run, all of them in ${CATALOG}`;

/** A Cucumber snippet syntax (its `build` is asked for a snippet) that answers with a pointer, never code. */
export default class NoSnippets {
  build(): string {
    return NOT_A_SNIPPET;
  }
}

/** The pretty formatter's fixed words before a snippet, and the blank lines after them. */
const HEADER = /Undefined\. Implement with the following snippet:\s*?\n\s*\n\s*/g;

/** A stream for Cucumber's stdout that forwards everything to `target`, the snippet header rewritten. */
export function withoutSnippetHeader(target: NodeJS.WriteStream): Writable {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      // Forwarded at once, so that it keeps its place among the process's other output.
      target.write(String(chunk).replace(HEADER, 'Undefined: '));
      done();
    },
  });
  // Colours, as on the terminal itself (supports-color reads isTTY).
  return Object.assign(stream, { isTTY: target.isTTY, columns: target.columns });
}
