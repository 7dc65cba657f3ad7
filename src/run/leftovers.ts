/**
 * What an app leaves behind in the process that ran it: timers, handles and requests still
 * active, globals replaced. A child process runs the next app's job only when the last app left
 * nothing: otherwise that app's leftovers could fire, or its patches act, in another app's
 * scenarios and be charged to it.
 */

import { createRequire, syncBuiltinESMExports } from 'node:module';

type Timer = { _destroyed?: boolean };
/** Every timer made since trackTimers(), until seen ended (Node marks a fired or cleared one `_destroyed`). */
const made = new Set<Timer>();

/**
 * Watches every timer made from now on, unref'd ones included (an unref'd timer is not an active
 * resource to Node, yet its callback still runs): call before any app loads.
 */
export function trackTimers(): void {
  const timers = createRequire(import.meta.url)('node:timers') as Record<string, unknown>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    const original = globalThis[name] as (...args: unknown[]) => Timer;
    const tracked = Object.assign((...args: unknown[]) => {
      const timer = original(...args);
      made.add(timer);
      return timer;
    }, original);
    globalThis[name] = tracked as never;
    timers[name] = tracked;
  }
  // `import { setTimeout } from 'node:timers'` sees the tracked ones too.
  syncBuiltinESMExports();
}

/** Timers made since trackTimers() that have neither fired nor been cleared. */
function liveTimers(): number {
  for (const timer of made) if (timer._destroyed) made.delete(timer);
  return made.size;
}

/** The process's state as far as an app can change it from JavaScript. */
export interface Footprint {
  /** Timers made since trackTimers() and still to fire (unref'd ones too). */
  timers: number;
  /** Kinds of the active resources (timers, sockets, child processes...), sorted; file requests in flight end by themselves. */
  resources: string[];
  /** What a global or a commonly patched member is, by identity. */
  globals: Map<string, unknown>;
}

// Members an app might replace to bend time, randomness or the harness's own checks.
const MEMBERS: Array<[string, () => unknown]> = [
  ['Date.now', () => Date.now],
  ['Math.random', () => Math.random],
  ['performance.now', () => performance.now],
  ['process.hrtime', () => process.hrtime],
  ['process.nextTick', () => process.nextTick],
  ['crypto.getRandomValues', () => globalThis.crypto?.getRandomValues],
  ['JSON.parse', () => JSON.parse],
  ['JSON.stringify', () => JSON.stringify],
  ['Promise.prototype.then', () => Promise.prototype.then],
  ['Object.prototype keys', () => Object.keys(Object.prototype).join(',')],
  ['Array.prototype keys', () => Object.keys(Array.prototype).join(',')],
];

/** File system requests: the harness's own reports are still being written when a job ends. */
const IN_FLIGHT = new Set(['FSReqCallback', 'FSReqPromise', 'FileHandleCloseReq']);

export function footprint(): Footprint {
  const globals = new Map<string, unknown>();
  // Node defines some globals lazily (fetch, streams...): read, not by descriptor, they compare equal.
  for (const key of Reflect.ownKeys(globalThis)) globals.set(`globalThis.${String(key)}`, (globalThis as Record<PropertyKey, unknown>)[key]);
  for (const [name, read] of MEMBERS) globals.set(name, read());
  return { timers: liveTimers(), resources: process.getActiveResourcesInfo().filter((kind) => !IN_FLIGHT.has(kind)).sort(), globals };
}

/** What differs between two footprints, in words; empty when the app left nothing behind. */
export function leftovers(before: Footprint, after: Footprint): string[] {
  const found: string[] = [];
  if (after.timers > before.timers) found.push(`${after.timers - before.timers} timer(s) still to fire`);
  const count = (list: string[]) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
  const was = count(before.resources);
  for (const [kind, n] of count(after.resources)) {
    if (n > (was.get(kind) ?? 0)) found.push(`${n - (was.get(kind) ?? 0)} active ${kind}`);
  }
  // A new global is not looked at: the harness's own modules add some as they load (zod's,
  // tslib's helpers, undici's and msw's symbols), and a new name changes nothing another app calls.
  for (const [name, value] of after.globals) {
    if (before.globals.has(name) && !Object.is(before.globals.get(name), value)) found.push(`${name} replaced`);
  }
  for (const name of before.globals.keys()) if (!after.globals.has(name)) found.push(`${name} removed`);
  return found;
}
