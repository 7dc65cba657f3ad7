/**
 * Runs the simulation's work one task at a time, in the order it was scheduled. Deliveries,
 * timer callbacks and app reactions are all tasks; running them one after another (each to its
 * end) keeps every run with the same seed in the same order.
 */
import type { VirtualClock } from './clock.ts';
import type { Trace } from './trace.ts';

export interface Task {
  label: string;
  run: () => unknown;
}

/** A problem found while running tasks; the scenario fails with these. */
export class SimulationFailure extends Error {
  override name = 'SimulationFailure';
}

/** Real milliseconds a single task may take before it is reported as hanging. */
export const DEFAULT_HANG_MS = 10_000;

export class Scheduler {
  private queue: Task[] = [];
  private running = false;
  readonly failures: SimulationFailure[] = [];

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

  /** Throws the first failure recorded while tasks ran, naming all of them. */
  throwIfFailed(): void {
    if (this.failures.length === 0) return;
    const list = this.failures.map((f) => `- ${f.message}`).join('\n');
    throw new SimulationFailure(`The simulation recorded ${this.failures.length} failure(s):\n${list}`);
  }

  fail(message: string): void {
    this.failures.push(new SimulationFailure(message));
    this.trace.record('sim.failure', { message });
  }

  /**
   * Runs `run` and returns its result, failing with a clear message if it never settles. The
   * watchdog is real time, not a sleep: it only fires when an app or task hangs.
   */
  async guard<T>(label: string, run: () => T | Promise<T>): Promise<T> {
    let watchdog: NodeJS.Timeout | undefined;
    const hung = Symbol('hung');
    const hang = new Promise<typeof hung>((resolve) => {
      watchdog = setTimeout(() => resolve(hung), this.hangMs);
      watchdog.unref?.();
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(run), hang]);
      if (outcome === hung) {
        throw new SimulationFailure(`${label} did not finish within ${this.hangMs} ms of real time: it hangs`);
      }
      return outcome as T;
    } finally {
      clearTimeout(watchdog);
    }
  }

  private async runTask(task: Task): Promise<void> {
    try {
      await this.guard(task.label, task.run);
    } catch (error) {
      this.fail(error instanceof SimulationFailure ? error.message : `${task.label} threw: ${describeError(error)}`);
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
