/**
 * One run at a time per reports folder. A second run that would write into the same folder (and
 * delete the first one's results when it clears them) refuses with a message saying who holds it
 * and how to run alongside; a lock left by a run that died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './exit-codes.ts';

interface Holder {
  pid: number;
  since: string;
  adapter: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock; returns the function that releases it. */
export function lockReports(reports: string, adapter: string): () => void {
  mkdirSync(reports, { recursive: true });
  const path = join(reports, '.run.lock');
  const me: Holder = { pid: process.pid, since: new Date().toISOString(), adapter };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
      } catch {
        holder = undefined; // being written, or garbage: treat as stale below only if it stays so
      }
      if (holder && alive(holder.pid)) {
        throw new UsageError(
          `another run (pid ${holder.pid}, adapter ${holder.adapter}, since ${holder.since}) is writing to ${reports}; ` +
            `wait for it, or give this run its own folder with --reports <dir>`,
        );
      }
      rmSync(path, { force: true }); // left by a run that died
    }
  }
  throw new UsageError(`could not take the lock ${path}`);
}
