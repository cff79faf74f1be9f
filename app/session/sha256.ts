// SHA-256 of a model's bytes, as lowercase hex: the session document's model reference. Web Crypto
// (globalThis.crypto.subtle) exists in Node 20 and in browsers, so the page and the CLI compute the
// same digest with the same code.

/** The SHA-256 digest of `bytes` as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    // Browsers expose subtle crypto only in secure contexts (https or localhost).
    throw new Error('SHA-256 needs Web Crypto (crypto.subtle), which this context does not provide');
  }
  // A view hashes its own bytes only (not the rest of a larger buffer); a view on a
  // SharedArrayBuffer, which digest() refuses, is copied first.
  const data =
    bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', data));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
