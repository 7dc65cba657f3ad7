/**
 * One running app process, supervised: started in a process group of its own, spoken to in
 * JSON-RPC lines (src/adapter/rpc/), its stderr kept as its log, and stopped for good (the whole
 * group) when it misbehaves, when it is no longer needed, or when the harness exits by any path.
 *
 * Anything wrong it does is turned into one message naming the app, what it did and the tail of
 * its stderr; the owner (process-adapter.ts) fails the scenario with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { LineSplitter, RpcConnection, RpcError, excerpt, type RpcHandlers } from '../rpc/connection.ts';
import type { Manifest } from './manifest.ts';
import { AppAssertionError } from '../../sim/failures.ts';

/** Longest line the app may write: a send of the largest message (96 KiB, as base64) fits many times over. */
const MAX_LINE = 1024 * 1024;
/** Lines the app may write while one call of the harness waits: past this it is flooding its stdout. */
const MAX_LINES_PER_CALL = 10_000;
const STDERR_TAIL = 20;
/** Real time given to the app's stderr to arrive after it misbehaved on stdout or exited. */
const STDERR_GRACE_MS = 50;

/** Every app process alive, so each is stopped however the harness ends. */
const alive = new Set<AppProcess>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const p of alive) p.kill();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const p of alive) p.kill();
      process.kill(process.pid, signal); // the handler is gone (once): the default action now ends the process
    });
  }
}

export interface AppProcessEvents {
  /** What the app asked of the harness: served by the owner. */
  handlers: Omit<RpcHandlers, 'protocolError'>;
  /** A line of the app's stderr. */
  stderr(line: string): void;
  /** The process misbehaved or ended while needed: it is already stopped. Called once. */
  failed(message: string): void;
}

export class AppProcess {
  private readonly child: ChildProcess;
  private readonly rpc: RpcConnection;
  private readonly stderrTail: string[] = [];
  /** Why the process is unusable, once it is. */
  private broken?: string;
  private stopping = false;
  private linesThisCall = 0;

  constructor(
    private readonly manifest: Manifest,
    private readonly events: AppProcessEvents,
  ) {
    hookExit();
    const cwd = resolve(manifest.base, manifest.cwd ?? '.');
    const command = /^\.{1,2}\//.test(manifest.command) ? resolve(manifest.base, manifest.command) : manifest.command;
    this.child = spawn(command, manifest.args, {
      cwd,
      env: { ...process.env, ...manifest.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // a process group of its own: stopping it stops whatever it started
    });
    alive.add(this);
    this.rpc = new RpcConnection((line) => this.write(line), {
      ...events.handlers,
      protocolError: (problem) => this.fail(`${problem}`),
    });
    const out = new LineSplitter(
      (line) => {
        if (++this.linesThisCall > MAX_LINES_PER_CALL) return this.fail(`flooded its stdout: more than ${MAX_LINES_PER_CALL} lines while one call waited`);
        this.rpc.receive(line);
      },
      (length) => this.fail(`flooded its stdout: a line of more than ${length} characters (at most ${MAX_LINE})`),
      MAX_LINE,
    );
    this.child.stdout!.on('data', (chunk: Buffer) => {
      if (!this.broken) out.push(chunk);
    });
    this.child.stdout!.on('end', () => {
      // Its exit says more (the code), when it exits at once: give that the first word.
      setTimeout(() => this.fail('closed its stdout'), 100).unref();
    });
    const err = new LineSplitter(
      (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
        this.events.stderr(line);
      },
      () => {},
      MAX_LINE,
    );
    this.child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    this.child.stdin!.on('error', () => {}); // a closed pipe is reported by 'exit', with the exit status
    this.child.on('error', (error) => this.fail(`could not be started: ${error.message}`));
    this.child.on('exit', (code, signal) => {
      if (!this.stopping) this.fail(`exited (${signal ? `killed by ${signal}` : `exit code ${code}`})`);
      this.kill(); // what it started may still run in its group
    });
  }

  get name(): string {
    return this.manifest.name ?? this.manifest.spec;
  }

  /** Whether calls can still be made. */
  get usable(): boolean {
    return !this.broken && !this.stopping;
  }

  /** Calls `method`; rejects with a message naming the app when it answers an error, goes away or takes too long. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (this.broken) throw new AppAssertionError(this.broken);
    this.linesThisCall = 0;
    // No answer in time: the process is stopped, which fails this call (and any other waiting).
    const timer = setTimeout(() => this.fail(`did not answer "${method}" within ${this.manifest.callTimeoutMs} ms of real time (callTimeoutMs)`), this.manifest.callTimeoutMs);
    try {
      return await this.rpc.call(method, params);
    } catch (error) {
      if (error instanceof RpcError) throw new AppAssertionError(`${this.name} answered "${method}" with an error (${error.code}): ${error.message}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  notify(method: string, params: unknown): void {
    if (!this.broken) this.rpc.notify(method, params);
  }

  /** Ends the process (its whole group is killed). No failure is reported for it. */
  stop(): void {
    this.stopping = true;
    this.kill();
  }

  /** Kills the process group at once, whatever of it is left (on every exit path of the harness). */
  kill(): void {
    alive.delete(this);
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // the group is empty: nothing left to stop
    }
  }

  private write(line: string): void {
    if (this.broken || !this.child.stdin!.writable) return;
    this.child.stdin!.write(`${line}\n`);
  }

  /**
   * The app misbehaved: nothing more it writes is read, and a moment later (what it wrote to
   * stderr just before, on its other pipe, may not be read yet: it is often the explanation) it
   * is stopped, every waiting call fails, and the owner hears it once.
   */
  private fail(problem: string): void {
    if (this.broken || this.stopping) return;
    this.broken = this.describe(problem);
    setTimeout(() => {
      const waiting = this.rpc.waiting();
      const message = this.describe(waiting.length ? `${problem}, while the harness waited for its answer to "${waiting.join('", "')}"` : problem);
      this.broken = message;
      this.kill();
      this.rpc.abandon(new AppAssertionError(message));
      this.events.failed(message);
    }, STDERR_GRACE_MS);
  }

  /** "<app> <did what>", with the tail of its stderr. */
  private describe(problem: string): string {
    const tail = this.stderrTail.length ? `; the last of its stderr:\n    ${this.stderrTail.map((l) => excerpt(l, 300).slice(1, -1)).join('\n    ')}` : '; it wrote nothing to stderr';
    return `the app process ${this.name} (pid ${this.child.pid ?? '?'}) ${problem}${tail}`;
  }
}
