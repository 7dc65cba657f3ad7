/**
 * Runs the simulation's work one task at a time, in the order it was scheduled. Deliveries,
 * timer callbacks and app reactions are all tasks; running them one after another (each to its
 * end) keeps every run with the same seed in the same order.
 */
import type { VirtualClock } from './clock.ts';
import type { Trace } from './trace.ts';
import { AppAssertionError, HarnessError, describeError } from './failures.ts';

export { describeError } from './failures.ts';

export interface Task {
  label: string;
  run: () => unknown;
}

/** Real milliseconds a single task may take before it is reported as hanging. */
export const DEFAULT_HANG_MS = 10_000;

export class Scheduler {
  private queue: Task[] = [];
  private running = false;
  /** What went wrong while tasks ran: the app's faults, and the harness's own. */
  readonly failures: Array<AppAssertionError | HarnessError> = [];
  /** Messages of failures that have already failed a step: each fails the scenario once. */
  private readonly surfaced = new Set<string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly trace: Trace,
    private readonly hangMs = DEFAULT_HANG_MS,
  ) {}

  schedule(label: string, run: () => unknown): void {
    this.queue.push({ label, run });
  }

  /** Runs queued tasks and timers that are due now, until nothing is left to do at this instant. */
  async runUntilQuiet(): Promise<void> {
    if (this.running) return; // a task that waits for quiet would wait for itself
    this.running = true;
    try {
      for (;;) {
        const task = this.queue.shift();
        if (task) {
          await this.runTask(task);
          continue;
        }
        const timer = this.clock.takeDue(this.clock.now());
        if (!timer) break;
        await this.runTask({ label: 'timer', run: timer.callback });
      }
    } finally {
      this.running = false;
    }
  }

  /** Advances simulated time by `ms`, firing every timer on the way in order. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await this.runUntilQuiet();
    for (let timer = this.clock.takeDue(target); timer; timer = this.clock.takeDue(target)) {
      await this.runTask({ label: 'timer', run: timer.callback });
      await this.runUntilQuiet();
    }
    this.clock.moveTo(target);
    await this.runUntilQuiet();
  }

  /**
   * Throws if anything failed while tasks ran that has not failed a step yet, naming every such
   * failure. A harness fault makes the whole scenario broken (its verdict is unknown), whatever
   * the app did besides.
   */
  throwIfFailed(): void {
    const fresh = this.failures.filter((f) => !this.surfaced.has(f.message));
    if (fresh.length === 0) return;
    for (const f of fresh) this.surfaced.add(f.message);
    const list = fresh.map((f) => `- ${f.message}`).join('\n');
    const harness = fresh.some((f) => f instanceof HarnessError);
    const summary = `The simulation recorded ${fresh.length} failure(s):\n${list}`;
    throw harness ? new HarnessError(`${summary}\n(a harness fault: this says nothing about the app)`) : new AppAssertionError(summary);
  }

  /** A failure that already failed a step some other way (thrown at a call): not thrown again. */
  surfacedElsewhere(message: string): void {
    this.surfaced.add(message);
  }

  /** The app broke a rule or misbehaved. */
  fail(message: string): void {
    if (this.failures.some((f) => f.message === message)) return; // one fault seen at two places
    this.failures.push(new AppAssertionError(message));
    this.trace.record('sim.failure', { message });
  }

  /** The harness itself went wrong: the scenario is broken, not failed. */
  harnessFail(message: string): void {
    this.failures.push(new HarnessError(message));
    this.trace.record('sim.harness-error', { message });
  }

  /**
   * Runs `run` and returns its result, failing with a clear message if it never settles. The
   * watchdog is real time, not a sleep: it only fires when an app or task hangs.
   */
  async guard<T>(label: string, run: () => T | Promise<T>, ms = this.hangMs): Promise<T> {
    let watchdog: NodeJS.Timeout | undefined;
    const hung = Symbol('hung');
    const hang = new Promise<typeof hung>((resolve) => {
      watchdog = setTimeout(() => resolve(hung), ms);
      watchdog.unref?.();
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(run), hang]);
      if (outcome === hung) {
        throw new AppAssertionError(`${label} did not finish within ${ms} ms of real time: it hangs`);
      }
      return outcome as T;
    } finally {
      clearTimeout(watchdog);
    }
  }

  private async runTask(task: Task): Promise<void> {
    try {
      // Twice the app's limit: a task that calls into an app (a delivery runs its message
      // handler) has that call guarded on its own, and that guard must fire first and name the app.
      await this.guard(task.label, task.run, this.hangMs * 2);
    } catch (error) {
      // App code reaches a task only through guards that turn its faults into AppAssertionErrors
      // naming the app; anything else that escapes is the harness's own fault.
      if (error instanceof AppAssertionError) this.fail(error.message);
      else this.harnessFail(error instanceof HarnessError ? error.message : `${task.label} threw: ${describeError(error)}`);
    }
  }
}
