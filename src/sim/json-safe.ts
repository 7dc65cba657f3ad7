/**
 * Copies of what an app hands the harness (log details, reports), taken as JSON when handed
 * over: the harness keeps a value the app can no longer change, that survives the trace's JSON,
 * and that is the same on every run of a seed.
 */

/** A deep JSON copy of `value`, or a note saying why it has none (a cycle, a BigInt, a throwing getter). */
export function jsonCopy(value: unknown): unknown {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch (error) {
    return `[not JSON: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

/** Freezes a JSON value and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Text an app gave as a message, whatever it really passed. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  const copy = jsonCopy(value);
  return typeof copy === 'string' ? copy : JSON.stringify(copy);
}
