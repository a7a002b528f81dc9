/**
 * HMAC keys for node:crypto as KeyObjects. Given a Buffer, Node 24's createHmac (24.18 and 24.21 measured;
 * 26.10 no longer) first asks whether the key is a KeyObject or a CryptoKey by throwing and catching an
 * error for each, and each error captures the stack; a KeyObject passes both checks at once. A key used
 * again (the same array holding the same bytes) is turned into a KeyObject once; a string key goes to
 * node:crypto as it is, which takes no such detour either.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';

/** Per key array: the KeyObject made from it, and a copy of the bytes it was made from. */
const keyObjects = new WeakMap<object, { bytes: Buffer; key: KeyObject }>();

export function bytesOf(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

export function hmacKey(secret: string | ArrayBuffer | ArrayBufferView): string | KeyObject {
  if (typeof secret === 'string') return secret;
  const bytes = bytesOf(secret);
  const kept = keyObjects.get(secret);
  // The same array with other bytes in it: nothing here reuses one, but nothing forbids it either.
  if (kept?.bytes.equals(bytes)) return kept.key;
  const key = createSecretKey(bytes);
  keyObjects.set(secret, { bytes: Buffer.from(bytes), key });
  return key;
}
