/**
 * The processes that run scenarios. A run of several apps reuses one child process from app to
 * app while each app leaves it clean (leftovers.ts): starting a process, tsx, Cucumber and
 * libsignal costs seconds, more than a short run's scenarios. A child that lost its app (a crash,
 * a hang) or kept what an app left behind is never reused.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ParentMessage } from './messages.ts';
import { COMPILED } from '../compiled/typescript.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export class ChildPool {
  private idle: ChildProcess | undefined;

  /**
   * A child ready for a job: the one the last app left clean, or a new process. `hangMs`: how
   * long the in-process guard lets one app call run (fixed for a whole run).
   */
  take(hangMs: number): ChildProcess {
    const kept = this.idle;
    this.idle = undefined;
    if (kept && kept.connected && kept.exitCode === null && kept.signalCode === null) return kept;
    // Compiled (src/compiled/), the child is JavaScript: source maps make its stack frames name the sources.
    // SCT_CPU_PROF=<dir>: each scenario process writes a V8 CPU profile there (where a run's time goes).
    const compiled = COMPILED && process.env.SCT_COMPILED;
    return fork(compiled ? join(compiled, 'child.mjs') : CHILD, [], {
      env: { ...process.env, SCT_HANG_MS: String(hangMs) },
      execArgv: [...(compiled ? ['--enable-source-maps'] : ['--import', 'tsx']), ...(process.env.SCT_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SCT_CPU_PROF] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  /** Keeps a child whose last app left it clean, for the next job. */
  keep(child: ChildProcess): void {
    this.close();
    this.idle = child;
  }

  /** Ends the idle child, if any. */
  close(): void {
    const child = this.idle;
    this.idle = undefined;
    if (!child) return;
    if (child.connected) child.send({ type: 'exit' } satisfies ParentMessage);
    // Ends within a moment by itself; this process does not wait for it.
    setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    child.unref();
  }
}
