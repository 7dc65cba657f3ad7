/**
 * `sct-adapter.json`: how to start a credential app that runs in its own process and speaks the
 * adapter protocol (docs/adapter-protocol.md). A team commits this one file beside its app and runs
 * `sct-conformance run --adapter ./sct-adapter.json`; `--adapter-cmd "python3 app.py"` is the same
 * without a file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { AdapterError } from '../load.ts';

export const manifestSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).optional().describe('A short name for messages (default: the command).'),
    command: z.string().min(1).describe('The program to run, e.g. "python3" (looked up on PATH) or a path relative to the manifest.'),
    args: z.array(z.string()).default([]).describe('Its arguments.'),
    cwd: z.string().optional().describe("The working folder, relative to the manifest's folder (default: the manifest's folder)."),
    env: z.record(z.string(), z.string()).default({}).describe("Variables added to the harness's environment."),
    capabilities: z
      .object({ flows: z.array(z.enum(['stateless', 'stateful'])).min(1) })
      .optional()
      .describe('The capabilities the app must announce in `initialize`: a difference fails the run, so a build that lost a flow is noticed.'),
    instances: z
      .enum(['shared', 'per-phone'])
      .default('shared')
      .describe('"shared": one process hosts the apps of every phone, across scenarios (a fresh one after a crash); "per-phone": a process for each phone of each scenario.'),
    callTimeoutMs: z.number().int().positive().max(60_000).default(5_000).describe('Real milliseconds the app may take to answer one call.'),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema> & {
  /** The folder relative paths start from. */
  base: string;
  /** What the user gave (the manifest's path, or the command), for messages. */
  spec: string;
};

/** Reads and checks a manifest file; every problem is named in one AdapterError. */
export function readManifest(path: string, spec = path): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AdapterError(`Adapter manifest "${spec}" is not readable JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new AdapterError(`Adapter manifest "${spec}" does not fit the format (docs/adapter-protocol.md, Manifest):\n- ${problems.join('\n- ')}`);
  }
  return { ...parsed.data, base: dirname(resolve(path)), spec };
}

/** A manifest for `--adapter-cmd "<command line>"`: run through /bin/sh in the current folder. */
export function commandManifest(commandLine: string, cwd = process.cwd()): Manifest {
  if (!commandLine.trim()) throw new AdapterError('--adapter-cmd is empty: give the command that starts the app, e.g. --adapter-cmd "python3 app.py"');
  return { ...manifestSchema.parse({ command: '/bin/sh', args: ['-c', commandLine], name: commandLine }), base: cwd, spec: commandLine };
}
