import { expect, it } from 'vitest';
import { withVerifiedCache } from '#shared/auth/verifier.ts';

it('verifies a token once per minute at most, never past its expiry, and never caches a failure', async () => {
  let clock = 1_000_000_000_000;
  const calls: string[] = [];
  const verifier = withVerifiedCache(
    async (token) => {
      calls.push(token);
      if (token === 'bad') throw new Error('bad signature');
      return { sub: `user-${token}`, exp: Math.floor(clock / 1000) + (token === 'short' ? 10 : 3600) };
    },
    () => clock,
  );

  await expect(verifier.verify('good')).resolves.toEqual({ userId: 'user-good' });
  await expect(verifier.verify('good')).resolves.toEqual({ userId: 'user-good' });
  expect(calls).toEqual(['good']);
  clock += 61_000;
  await verifier.verify('good');
  expect(calls).toEqual(['good', 'good']);

  await verifier.verify('short');
  clock += 11_000;
  await verifier.verify('short');
  expect(calls.filter((c) => c === 'short')).toHaveLength(2);

  await expect(verifier.verify('bad')).rejects.toMatchObject({ status: 401 });
  await expect(verifier.verify('bad')).rejects.toMatchObject({ status: 401 });
  expect(calls.filter((c) => c === 'bad')).toHaveLength(2);
});
