import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so it is told apart from a JWT (which starts with `eyJ`) at a glance. */
export const API_KEY_MARK = 'avk_';
/** How much of a key is kept visible: the mark and eight characters. */
const PREFIX_LENGTH = API_KEY_MARK.length + 8;
const KEY = /^avk_[A-Za-z0-9_-]{43}$/;

/** A new key: the mark and 32 random bytes in base64url (256 bits, never guessable). */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${API_KEY_MARK}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hash: hashApiKey(key) };
}

export const looksLikeApiKey = (bearer: string) => bearer.startsWith(API_KEY_MARK);
export const isWellFormedApiKey = (bearer: string) => KEY.test(bearer);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
