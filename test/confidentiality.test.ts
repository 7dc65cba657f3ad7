import { describe, expect, it } from 'vitest';
import { PlaintextObserver, findLeaks } from '../src/sim/confidentiality.ts';

/** Secrets shaped as the fake data makes them: base64 of JSON, so thousands share their first 11 characters. */
function secrets(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(JSON.stringify({ vin: `WVWZZZ1JZXW${String(i).padStart(6, '0')}`, keySlot: i % 16, secret: `s3cr3t-${i * 7919}` })).toString('base64'),
  );
}

const text = (s: string) => Buffer.from(s, 'utf8');
const ciphertextLike = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 131 + seed * 17) & 0xff));

describe('plaintext observer with many secrets', () => {
  const all = secrets(5000);
  const observer = new PlaintextObserver();
  for (const s of all) observer.addSecret(s);

  it('finds the 1st and the 5,000th secret in bodies among ciphertext, and only those', () => {
    const o = new PlaintextObserver();
    for (const s of all) o.addSecret(s);
    o.observe(ciphertextLike(3000, 1));
    o.observe(text(JSON.stringify({ type: 'ShareInvitation', provisioningInformation: all[0] })));
    o.observe(Buffer.concat([ciphertextLike(500, 2), text(all[4999]!), ciphertextLike(500, 3)]));
    expect(o.leaks().sort()).toEqual([all[0], all[4999]].sort());
    expect(o.observed).toBe(3);
  });

  it('finds a base64 secret leaked decoded', () => {
    const decoded = Buffer.from(all[2500]!, 'base64');
    expect(findLeaks([Buffer.concat([ciphertextLike(40, 4), decoded, ciphertextLike(40, 5)])], all)).toEqual([all[2500]]);
  });

  it('finds a secret that is the whole body, at its very start, at its very end', () => {
    const [a, b, c] = [all[10]!, all[20]!, all[30]!];
    expect(findLeaks([text(a)], all)).toEqual([a]);
    expect(findLeaks([Buffer.concat([text(b), ciphertextLike(100, 6)])], all)).toEqual([b]);
    expect(findLeaks([Buffer.concat([ciphertextLike(100, 7), text(c)])], all)).toEqual([c]);
    expect(findLeaks([Buffer.concat([ciphertextLike(100, 8), Buffer.from(c, 'base64')])], all)).toEqual([c]);
  });

  it('finds nothing in a near miss: one byte changed at either end, one byte cut off, a secret split across two bodies', () => {
    const s = text(all[42]!);
    const lastChanged = Buffer.from(s);
    lastChanged[lastChanged.length - 1] ^= 1;
    const firstChanged = Buffer.from(s);
    firstChanged[0] ^= 1;
    const exposure = [lastChanged, firstChanged, s.subarray(1), s.subarray(0, s.length - 1), s.subarray(0, 30), s.subarray(30)];
    expect(findLeaks(exposure, all)).toEqual([]);
  });

  it('finds secrets about as long as the hash window at the very end of a body', () => {
    for (const secret of ['pin-123', 'pin-1234', 'pin-12345', 'pin-123456']) {
      expect(findLeaks([Buffer.concat([ciphertextLike(64, 9), text(secret)])], [...all.slice(0, 10), secret])).toEqual([secret]);
      expect(findLeaks([text(secret)], [secret])).toEqual([secret]);
    }
  });

  it('finds a secret shorter than the hash window', () => {
    expect(findLeaks([text('xx-pin-42-xx')], [...all.slice(0, 10), 'pin-42'])).toEqual(['pin-42']);
    expect(findLeaks([text('xx-pin-41-xx')], ['pin-42'])).toEqual([]);
  });

  it('does work per body that does not grow with the secrets: text all of them begin with costs few comparisons', () => {
    // Every secret begins "eyJ2aW4iOiJXVldaWlox": indexed by that prefix, each occurrence would be compared with all 5,000.
    const common = all[0]!.slice(0, 20);
    expect(all.every((s) => s.startsWith(common))).toBe(true);
    const before = observer.comparisons;
    observer.observe(text(Array.from({ length: 50 }, () => common + '!').join('')));
    expect(observer.leaks()).toEqual([]);
    // A few per occurrence (the first needles took the prefix's windows while they were free); prefix indexing: 5,000.
    expect(observer.comparisons - before).toBeLessThan(50 * 20);
  });
});
