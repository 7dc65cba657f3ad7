/**
 * The server must only ever hold ciphertext. The observer is a wiretap on the server: it sees
 * every request body and every stored envelope as they arrive, and looks in each for every
 * secret registered so far (a credential's provisioning information, as text and, when it is
 * base64, decoded). Secrets are registered before the share that carries them is sent, so
 * nothing needs to be kept to check it later.
 */

interface Needle {
  secret: string;
  bytes: Buffer;
}

function needlesFor(secret: string): Needle[] {
  const forms = [Buffer.from(secret, 'utf8')];
  const decoded = Buffer.from(secret, 'base64');
  // Only a real base64 string round-trips; a decoded form under 8 bytes would match by chance.
  if (decoded.length >= 8 && decoded.toString('base64') === secret) forms.push(decoded);
  return forms.map((bytes) => ({ secret, bytes }));
}

/** The secrets found in any of the byte strings. */
export function findLeaks(exposure: readonly Uint8Array[], secrets: readonly string[]): string[] {
  const observer = new PlaintextObserver();
  for (const secret of secrets) observer.addSecret(secret);
  for (const bytes of exposure) observer.observe(bytes);
  return observer.leaks();
}

export class PlaintextObserver {
  private needles: Needle[] = [];
  private found = new Set<string>();
  /** How many byte strings were checked: a check over nothing proves nothing. */
  observed = 0;

  addSecret(secret: string): void {
    this.needles.push(...needlesFor(secret));
  }

  observe(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.observed++;
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const { secret, bytes: needle } of this.needles) {
      if (haystack.includes(needle)) this.found.add(secret);
    }
  }

  leaks(): string[] {
    return [...this.found];
  }
}
