import { expect, it } from 'vitest';
import { withVerifiedCache } from '#shared/auth/verifier.ts';

const sub = (n: number) => `6f1c2a4e-0000-4000-8000-${String(n).padStart(12, '0')}`;

it('verifies a token once until it expires, never past its expiry, and never caches a failure', async () => {
  let clock = 1_000_000_000_000;
  const calls: string[] = [];
  const subs: Record<string, string> = { good: sub(1) };
  const subOf = (token: string) => subs[token] ?? sub(2);
  const verifier = withVerifiedCache(
    async (token) => {
      calls.push(token);
      if (token === 'bad') throw new Error('bad signature');
      return { sub: subOf(token), exp: Math.floor(clock / 1000) + (token === 'short' ? 10 : 3600) };
    },
    () => clock,
  );

  await expect(verifier.verify('good')).resolves.toEqual({ userId: subs.good });
  clock += 3_000_000;
  await expect(verifier.verify('good')).resolves.toEqual({ userId: subs.good });
  expect(calls).toEqual(['good']);
  clock += 600_001;
  // Expired now: verified again, and the verifier's own expiry check refuses it.
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

it('keeps the most recently used tokens when full', async () => {
  const calls: string[] = [];
  const verifier = withVerifiedCache(
    async (token) => {
      calls.push(token);
      return { sub: sub(Number(token.slice(1))), exp: Math.floor(Date.now() / 1000) + 3600 };
    },
    Date.now,
    2,
  );
  await verifier.verify('t1');
  await verifier.verify('t2');
  await verifier.verify('t1'); // t1 is now the most recent; t2 goes first
  await verifier.verify('t3');
  await verifier.verify('t1');
  expect(calls).toEqual(['t1', 't2', 't3']);
  await verifier.verify('t2');
  expect(calls).toEqual(['t1', 't2', 't3', 't2']);
});

it('refuses a token the cache once held after it expired', async () => {
  let clock = 1_000_000_000_000;
  const verifier = withVerifiedCache(
    async () => {
      if (clock > 1_000_000_005_000) throw new Error('expired');
      return { sub: sub(1), exp: 1_000_000_005 };
    },
    () => clock,
  );
  await expect(verifier.verify('t')).resolves.toEqual({ userId: sub(1) });
  clock = 1_000_000_005_001;
  await expect(verifier.verify('t')).rejects.toMatchObject({ status: 401 });
});
