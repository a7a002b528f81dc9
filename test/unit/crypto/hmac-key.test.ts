import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { hmacKey } from '#shared/crypto/hmac-key.ts';

const mac = (key: Parameters<typeof createHmac>[1]) =>
  createHmac('sha256', key).update('payload').digest('hex');

it('keys an HMAC as the bytes themselves do, once per array, and anew when the array holds other bytes', () => {
  const key = new Uint8Array(32).fill(1);
  const first = hmacKey(key);
  expect(mac(first)).toBe(mac(Buffer.from(key)));
  expect(hmacKey(key)).toBe(first);
  key[0] = 2;
  const second = hmacKey(key);
  expect(second).not.toBe(first);
  expect(mac(second)).toBe(mac(Buffer.from(key)));
  expect(hmacKey('a string key')).toBe('a string key');
  const view = new DataView(new Uint8Array([9, 1, 2, 3, 9]).buffer, 1, 3);
  expect(mac(hmacKey(view))).toBe(mac(Buffer.from([1, 2, 3])));
});
