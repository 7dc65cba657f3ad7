/**
 * The server must only ever hold ciphertext. The observer is a wiretap on the server: it sees
 * every request body and every stored envelope as they arrive, and looks in each for every
 * secret registered so far (a credential's provisioning information, as text and, when it is
 * base64, decoded). Secrets are registered before the share that carries them is sent, so
 * nothing needs to be kept to check it later.
 *
 * Its cost per body must not grow with the number of secrets (a simulation of 10,000 phones
 * registers 5,000 of them): each needle is indexed by the hash of one WINDOW-byte slice of it,
 * and a body is scanned once, a rolling hash per position, a bit test, and a needle compared in
 * full only where its slice's hash matches. A needle's slice is the one whose hash is shared with
 * the fewest needles so far: secrets that all begin alike (base64 of `{"vin":...`) do not pile up
 * in one bucket. Needles shorter than a window are searched whole, one by one (there are none in
 * practice).
 */

/** Bytes hashed per position. Shorter needles go to the whole-needle list. */
const WINDOW = 8;
/** Multiplier of the polynomial rolling hash (mod 2^32). */
const BASE = 0x01000193;
/** BASE^(WINDOW-1) mod 2^32: what the byte leaving the window weighed. */
const OUTGOING = (() => {
  let p = 1;
  for (let i = 1; i < WINDOW; i++) p = Math.imul(p, BASE);
  return p;
})();
/** log2 of the filter's size in bits: with 20,000 needles about 2 % of positions pass to a map lookup. */
const FILTER_BITS = 20;

interface Needle {
  secret: string;
  bytes: Buffer;
  /** Where in `bytes` the indexed window starts. */
  offset: number;
}

/** The byte forms a secret can leak in: as text and, when it is real base64, decoded. */
function formsOf(secret: string): Buffer[] {
  const forms = [Buffer.from(secret, 'utf8')];
  const decoded = Buffer.from(secret, 'base64');
  // Only a real base64 string round-trips; a decoded form under 8 bytes would match by chance.
  if (decoded.length >= 8 && decoded.toString('base64') === secret) forms.push(decoded);
  return forms;
}

/** The hash of bytes[from, from + WINDOW). */
function windowHash(bytes: Uint8Array, from: number): number {
  let h = 0;
  for (let i = from; i < from + WINDOW; i++) h = (Math.imul(h, BASE) + bytes[i]!) | 0;
  return h;
}

/** The filter bit of a hash: its well-mixed top bits (a polynomial hash's low bits see only the bytes' low bits). */
function filterIndex(h: number): number {
  return Math.imul(h, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

/** The secrets found in any of the byte strings. */
export function findLeaks(exposure: readonly Uint8Array[], secrets: readonly string[]): string[] {
  const observer = new PlaintextObserver();
  for (const secret of secrets) observer.addSecret(secret);
  for (const bytes of exposure) observer.observe(bytes);
  return observer.leaks();
}

export class PlaintextObserver {
  private readonly secrets = new Set<string>();
  /** Needles by the hash of their indexed window. */
  private readonly buckets = new Map<number, Needle[]>();
  /** One bit per filterIndex: set when some needle's window hashes there. Allocated with the first needle. */
  private filter?: Uint32Array;
  /** Needles shorter than a window, searched whole. */
  private readonly short: Needle[] = [];
  private readonly found = new Set<string>();
  /** How many byte strings were checked: a check over nothing proves nothing. */
  observed = 0;
  /** How many needles were compared in full with a body: the work past the scan, which must stay flat as secrets are added. */
  comparisons = 0;

  addSecret(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    for (const bytes of formsOf(secret)) {
      if (bytes.length < WINDOW) {
        this.short.push({ secret, bytes, offset: 0 });
        continue;
      }
      // The window whose bucket is emptiest so far, the first such on a tie (deterministic).
      let best = 0;
      let bestHash = windowHash(bytes, 0);
      let bestSize = this.buckets.get(bestHash)?.length ?? 0;
      for (let offset = 1; offset + WINDOW <= bytes.length && bestSize > 0; offset++) {
        const h = windowHash(bytes, offset);
        const size = this.buckets.get(h)?.length ?? 0;
        if (size < bestSize) [best, bestHash, bestSize] = [offset, h, size];
      }
      const bucket = this.buckets.get(bestHash);
      if (bucket) bucket.push({ secret, bytes, offset: best });
      else this.buckets.set(bestHash, [{ secret, bytes, offset: best }]);
      const filter = (this.filter ??= new Uint32Array(1 << (FILTER_BITS - 5)));
      const bit = filterIndex(bestHash);
      filter[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  observe(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.observed++;
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const { secret, bytes: needle } of this.short) {
      this.comparisons++;
      if (haystack.includes(needle)) this.found.add(secret);
    }
    const filter = this.filter;
    if (!filter || haystack.length < WINDOW) return;
    let h = windowHash(haystack, 0);
    for (let start = 0; ; start++) {
      const bit = filterIndex(h);
      if (filter[bit >>> 5]! & (1 << (bit & 31))) this.check(haystack, start, h);
      const next = start + WINDOW;
      if (next >= haystack.length) return;
      h = (Math.imul(h - Math.imul(haystack[start]!, OUTGOING), BASE) + haystack[next]!) | 0;
    }
  }

  leaks(): string[] {
    return [...this.found];
  }

  /** Compares in full every needle whose window hashes to `h`, placed so that window starts at `at`. */
  private check(haystack: Buffer, at: number, h: number): void {
    const bucket = this.buckets.get(h);
    if (!bucket) return;
    for (const { secret, bytes, offset } of bucket) {
      const from = at - offset;
      if (from < 0 || from + bytes.length > haystack.length) continue;
      this.comparisons++;
      if (haystack.compare(bytes, 0, bytes.length, from, from + bytes.length) === 0) this.found.add(secret);
    }
  }
}
