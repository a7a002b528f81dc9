import type { ApiKeyRepository, KeyHolder } from '../api-keys/repository.ts';
import { LAST_USED_RESOLUTION_MS } from '../api-keys/repository.ts';
import { hashApiKey, isWellFormedApiKey } from '../api-keys/secret.ts';
import { UnauthorizedError } from '../errors.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { Caller } from './port.ts';

/**
 * How long a container trusts a key it has checked: a deleted key keeps working in a warm container for
 * at most this long. Each miss costs one indexed read and two rate-limit counter writes.
 */
export const API_KEY_CACHE_SECONDS = 5;
const CACHE_SIZE = 1000;
const INVALID = 'The API key is unknown, revoked or expired.';

export interface ApiKeyVerifier {
  /** The caller a key stands for; UnauthorizedError when it is unknown, revoked or expired. */
  verify(key: string, sourceAddress: string): Promise<Caller>;
  /** Drops this container's cached keys of a user (an erased account); other containers wait out the cache. */
  forgetUser(userId: string): void;
  /** Drops this container's cached check of one key (revoked); other containers wait out the cache. */
  forgetKey(keyId: string): void;
}

/**
 * Checks API keys by their SHA-256 against the api_keys table, within the source address's budget of
 * failed checks, remembering good keys for API_KEY_CACHE_SECONDS (bounded, oldest out).
 */
export function createApiKeyVerifier(options: {
  keys: ApiKeyRepository;
  limiter: LoginLimiter;
  now?: () => number;
}): ApiKeyVerifier {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { holder: KeyHolder; until: number }>();
  // Parallel requests with the same uncached key share one check (a busy key's cache lapses every 5 s).
  const inFlight = new Map<string, Promise<KeyHolder>>();
  const usable = (h: KeyHolder) => !h.expiresAt || h.expiresAt.getTime() > now();
  const toCaller = (h: KeyHolder): Caller => ({ userId: h.userId, apiKeyId: h.id, scopes: h.scopes });

  /** Keys revoked here, until a check that read the row before the deletion has surely finished: not cached. */
  const revoked = new Map<string, number>();

  async function lookUp(key: string, hash: string, sourceAddress: string): Promise<KeyHolder> {
    const holder = await options.limiter.apiKey(sourceAddress, async () => {
      const found = isWellFormedApiKey(key) ? await options.keys.findByHash(hash) : undefined;
      if (!found || !usable(found)) throw new UnauthorizedError(INVALID);
      return found;
    });
    if (!holder.lastUsedAt || now() - holder.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await options.keys.touch(holder.id);
    }
    if ((revoked.get(holder.id) ?? 0) > now()) return holder;
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(hash, { holder, until: now() + API_KEY_CACHE_SECONDS * 1000 });
    return holder;
  }

  return {
    async verify(key, sourceAddress) {
      const hash = hashApiKey(key);
      const hit = cache.get(hash);
      if (hit && hit.until > now() && usable(hit.holder)) return toCaller(hit.holder);
      if (hit) cache.delete(hash);
      let check = inFlight.get(hash);
      if (!check) {
        check = lookUp(key, hash, sourceAddress).finally(() => inFlight.delete(hash));
        inFlight.set(hash, check);
      }
      const holder = await check;
      return toCaller(holder);
    },
    forgetUser(userId) {
      for (const [hash, entry] of cache) if (entry.holder.userId === userId) cache.delete(hash);
    },
    forgetKey(keyId) {
      for (const [hash, entry] of cache) if (entry.holder.id === keyId) cache.delete(hash);
      for (const [id, until] of revoked) if (until <= now()) revoked.delete(id);
      revoked.set(keyId, now() + API_KEY_CACHE_SECONDS * 1000);
    },
  };
}
