#!/usr/bin/env node
// Entry point: the CLI (src/cli.ts), compiled to JavaScript once per version of the sources
// (src/compiled/: a start-up in a fraction of tsx's time), or run through tsx when it cannot be
// compiled or SCT_FROM_SOURCES=1 asks for it.
import { pathToFileURL } from 'node:url';
import { compiledHarness, entryFile } from '../src/compiled/index.mjs';

const compiled = process.env.SCT_FROM_SOURCES === '1' ? { reason: 'SCT_FROM_SOURCES=1' } : await compiledHarness();
if (compiled.dir) {
  // The scenario processes find their entry here (src/run/pool.ts).
  process.env.SCT_COMPILED = compiled.dir;
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(entryFile(compiled.dir, 'cli')).href);
} else {
  if (process.env.SCT_FROM_SOURCES !== '1') console.error(`sct-conformance: running the TypeScript sources through tsx (${compiled.reason})`);
  const { register } = await import('tsx/esm/api');
  register();
  try {
    await import('../src/cli.ts');
  } catch (error) {
    // The harness itself does not load (a source that does not compile): nothing was checked.
    console.error(`sct-conformance: the harness failed to load: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(3);
  }
}
