import { expect, it } from 'vitest';
import { withVerifiedCache } from '#shared/auth/verifier.ts';

it('verifies a token once per minute at most, never past its expiry, and never caches a failure', async () => {
  let clock = 1_000_000_000_000;
  const calls: string[] = [];
  const subs: Record<string, string> = { good: '6f1c2a4e-0000-4000-8000-000000000001' };
  const subOf = (token: string) => subs[token] ?? '6f1c2a4e-0000-4000-8000-000000000002';
  const verifier = withVerifiedCache(
    async (token) => {
      calls.push(token);
      if (token === 'bad') throw new Error('bad signature');
      return { sub: subOf(token), exp: Math.floor(clock / 1000) + (token === 'short' ? 10 : 3600) };
    },
    () => clock,
  );

  await expect(verifier.verify('good')).resolves.toEqual({ userId: subs.good });
  await expect(verifier.verify('good')).resolves.toEqual({ userId: subs.good });
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
