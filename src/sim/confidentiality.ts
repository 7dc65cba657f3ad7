/**
 * The server must only ever hold ciphertext. This looks for each secret (a credential's
 * provisioning information, as text and, when it is base64, decoded) in every byte string the
 * server was given.
 */
export function findLeaks(exposure: readonly Uint8Array[], secrets: readonly string[]): string[] {
  const needles = secrets.flatMap((secret) => {
    const forms = [Buffer.from(secret, 'utf8')];
    const decoded = Buffer.from(secret, 'base64');
    // Only a real base64 string round-trips; a decoded form shorter than 8 bytes would match by chance.
    if (decoded.length >= 8 && decoded.toString('base64') === secret) forms.push(decoded);
    return forms.map((bytes) => ({ secret, bytes }));
  });
  const leaks = new Set<string>();
  for (const haystack of exposure) {
    const buffer = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
    for (const { secret, bytes } of needles) {
      if (buffer.includes(bytes)) leaks.add(secret);
    }
  }
  return [...leaks];
}
