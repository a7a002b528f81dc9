import { expect, it } from 'vitest';
import type { ApiKeyRepository, KeyHolder } from '#shared/api-keys/repository.ts';
import { newApiKey } from '#shared/api-keys/secret.ts';
import { API_KEY_CACHE_SECONDS, createApiKeyVerifier } from '#shared/auth/api-keys.ts';
import type { LoginLimiter } from '#shared/auth/login-limiter.ts';
import { UnauthorizedError } from '#shared/errors.ts';

const USER = '6f1c2d4e-8a9b-4c3d-9e8f-7a6b5c4d3e2f';

function setup() {
  let clock = Date.parse('2026-11-26T12:00:00Z');
  const rows = new Map<string, KeyHolder>();
  const calls = { find: 0, touch: 0, limited: 0 };
  const keys = {
    async findByHash(hash: string) {
      calls.find += 1;
      return rows.get(hash);
    },
    async touch() {
      calls.touch += 1;
    },
  } as unknown as ApiKeyRepository;
  const limiter = {
    apiKey: async <T>(_address: string, attempt: () => Promise<T>) => {
      calls.limited += 1;
      return attempt();
    },
  } as unknown as LoginLimiter;
  const verifier = createApiKeyVerifier({ keys, limiter, now: () => clock });
  return { verifier, rows, calls, advance: (ms: number) => (clock += ms), now: () => clock };
}

it('trusts a checked key for the cache time only: a deleted key is refused once that has passed', async () => {
  const { verifier, rows, calls, advance } = setup();
  const key = newApiKey();
  rows.set(key.hash, { id: 'k1', userId: USER, scopes: ['read'], expiresAt: null, lastUsedAt: null });
  expect(await verifier.verify(key.key, '1.2.3.4')).toEqual({
    userId: USER,
    apiKeyId: 'k1',
    scopes: ['read'],
  });
  expect(calls).toMatchObject({ find: 1, touch: 1, limited: 1 });
  rows.delete(key.hash);
  advance(API_KEY_CACHE_SECONDS * 1000 - 1);
  await verifier.verify(key.key, '1.2.3.4');
  expect(calls.find).toBe(1);
  advance(1);
  await expect(verifier.verify(key.key, '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);
});

it('refuses an expired key even from the cache, and a malformed one without a lookup', async () => {
  const { verifier, rows, calls, advance, now } = setup();
  const key = newApiKey();
  rows.set(key.hash, {
    id: 'k2',
    userId: USER,
    scopes: ['read', 'write'],
    expiresAt: new Date(now() + 1000),
    lastUsedAt: new Date(now()),
  });
  await verifier.verify(key.key, '1.2.3.4');
  expect(calls.touch).toBe(0); // used within the last minute already
  advance(1000);
  await expect(verifier.verify(key.key, '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);
  await expect(verifier.verify('avk_short', '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);
  expect(calls.find).toBe(2);
  expect(calls.limited).toBe(3);
});

it('forgets an erased user’s keys at once', async () => {
  const { verifier, rows } = setup();
  const key = newApiKey();
  rows.set(key.hash, { id: 'k3', userId: USER, scopes: ['read'], expiresAt: null, lastUsedAt: null });
  await verifier.verify(key.key, '1.2.3.4');
  rows.delete(key.hash);
  verifier.forgetUser(USER);
  await expect(verifier.verify(key.key, '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);
});

it('checks an uncached key once for parallel requests', async () => {
  const { verifier, rows, calls } = setup();
  const key = newApiKey();
  rows.set(key.hash, { id: 'k4', userId: USER, scopes: ['read'], expiresAt: null, lastUsedAt: null });
  const callers = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(key.key, '1.2.3.4')));
  expect(callers.every((c) => c.apiKeyId === 'k4')).toBe(true);
  expect(calls).toMatchObject({ find: 1, limited: 1, touch: 1 });
});

it('forgets a revoked key at once, and does not cache it from a check that read it before the revocation', async () => {
  const { verifier, rows, calls } = setup();
  const key = newApiKey();
  rows.set(key.hash, { id: 'k5', userId: USER, scopes: ['read'], expiresAt: null, lastUsedAt: null });
  await verifier.verify(key.key, '1.2.3.4');
  rows.delete(key.hash);
  verifier.forgetKey('k5');
  await expect(verifier.verify(key.key, '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);

  const racing = newApiKey();
  rows.set(racing.hash, { id: 'k6', userId: USER, scopes: ['read'], expiresAt: null, lastUsedAt: null });
  const check = verifier.verify(racing.key, '1.2.3.4'); // reads the row before the revocation below
  verifier.forgetKey('k6');
  rows.delete(racing.hash);
  await check;
  const finds = calls.find;
  await expect(verifier.verify(racing.key, '1.2.3.4')).rejects.toBeInstanceOf(UnauthorizedError);
  expect(calls.find).toBe(finds + 1);
});
