/** A conforming variant: transfer and message ids are UPPERCASE version-7 UUIDs (time-ordered), still drawn from the seeded random source. */
import type { CredentialAppContext } from '../../adapter/contract.ts';
import { createReferenceApp } from '../reference-app.ts';

/** RFC 9562 UUIDv7: 48 bits of Unix milliseconds, version 7, 12 random bits, variant 10, 62 random bits. */
function uuidV7(random: () => number, now: number): string {
  const nibble = () => Math.floor(random() * 16);
  const hex = [...now.toString(16).padStart(12, '0'), '7', ...Array.from({ length: 3 }, nibble), (0x8 | (nibble() & 0x3)).toString(16), ...Array.from({ length: 15 }, nibble)]
    .map((d) => (typeof d === 'number' ? d.toString(16) : d))
    .join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-').toUpperCase();
}

export default (ctx: CredentialAppContext) => createReferenceApp(ctx, {}, { newId: uuidV7 });
