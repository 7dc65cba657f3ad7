/**
 * Seeded randomness. One run seed drives everything; each scenario derives its own stream from
 * the run seed and its name, so a scenario replayed alone draws the same values as in the full run.
 */

/** A deterministic source of numbers in [0, 1). */
export interface Random {
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** A fresh independent stream, keyed by a label (same seed + label, same stream). */
  fork(label: string): Random;
  readonly seed: number;
}

/** FNV-1a over a string: stable across Node versions, used to mix labels into seeds. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for fault decisions and test data. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed: seed >>> 0,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    fork: (label) => createRandom(hashString(label, seed >>> 0)),
  };
}

/** Reads a seed from text (SCT_SEED, --seed), with an error that names the bad value. */
export function parseSeed(text: string): number {
  if (!/^\d{1,10}$/.test(text.trim()) || Number(text) > 0xffffffff) {
    throw new Error(`Seed "${text}" is not a whole number from 0 to 4294967295`);
  }
  return Number(text);
}

/** A new seed for a run that was not given one. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0xffffffff) >>> 0;
}
