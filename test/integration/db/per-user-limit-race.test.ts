/**
 * Per-user bounds on API keys and webhook endpoints hold when creations arrive together: on a real
 * PostgreSQL, under READ COMMITTED, parallel statements run at once, so a bound checked by counting rows in
 * the statement's snapshot lets several through.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { MAX_API_KEYS } from '#shared/api-keys/repository.ts';
import { newApiKey } from '#shared/api-keys/secret.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { MAX_WEBHOOKS } from '#shared/webhooks/repository.ts';
import { MAX_WEBHOOKS_PER_HOST } from '#shared/webhooks/target-host.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newTestUser, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('per-user limits on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  const createKey = (userId: string) => {
    const secret = newApiKey();
    return repos.apiKeys.create(userId, {
      name: 'k',
      scopes: ['read'],
      prefix: secret.prefix,
      hash: secret.hash,
    });
  };
  // A host of its own each: at most MAX_WEBHOOKS_PER_HOST of an account's endpoints may share one.
  const createWebhook = (userId: string) =>
    repos.webhooks.create({ userId, url: `https://${randomUUID()}.example.com/hook`, secret: 'whsec_test' });

  /** The user's rows in `table` and the counter the users row keeps for them. */
  async function held(userId: string, table: 'api_keys' | 'webhook_endpoints') {
    const [row] = await rawRows<{ rows: number; counted: number }>(
      t.db,
      sql`SELECT (SELECT count(*)::int FROM ${sql.identifier(table)} WHERE user_id = ${userId}::uuid) AS rows,
                 (SELECT ${sql.identifier(table === 'api_keys' ? 'api_key_count' : 'webhook_count')}
                  FROM users WHERE id = ${userId}::uuid) AS counted`,
    );
    return row!;
  }

  async function expectExactly<T>(limit: number, attempts: Promise<T>[]): Promise<T[]> {
    const results = await Promise.allSettled(attempts);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    }
    const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(created).toHaveLength(limit);
    return created;
  }

  it.each([
    { what: 'webhooks', table: 'webhook_endpoints', most: MAX_WEBHOOKS, asked: 30, rounds: 5 },
    { what: 'API keys', table: 'api_keys', most: MAX_API_KEYS, asked: 70, rounds: 2 },
  ] as const)('creates exactly $most of $asked $what asked for at once, $rounds times over', async (c) => {
    expect(c.asked).toBeGreaterThan(c.most);
    const create: (userId: string) => Promise<unknown> = c.table === 'api_keys' ? createKey : createWebhook;
    for (let round = 0; round < c.rounds; round += 1) {
      const user = await newTestUser(repos, 'race');
      await expectExactly(
        c.most,
        Array.from({ length: c.asked }, () => create(user.id)),
      );
      expect(await held(user.id, c.table)).toEqual({ rows: c.most, counted: c.most });
    }
  });

  it('keeps 25 racing creations, some on one host, to exactly MAX_WEBHOOKS, refusing the rest with 409', async () => {
    for (let round = 0; round < 3; round += 1) {
      const user = await newTestUser(repos, 'mix');
      // 5 on one host (at most MAX_WEBHOOKS_PER_HOST of them may pass) and 20 on hosts of their own: up to
      // 23 could pass the host cap, so only the account's cap keeps them to 20.
      const urls = [
        ...Array.from({ length: 5 }, (_, i) => `https://shared.example.com/hook/${i}`),
        ...Array.from({ length: 20 }, () => `https://${randomUUID()}.example.com/hook`),
      ];
      const results = await Promise.allSettled(
        urls.map((url) => repos.webhooks.create({ userId: user.id, url, secret: 'whsec_test' })),
      );
      const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(created).toHaveLength(MAX_WEBHOOKS);
      expect(refused).toHaveLength(urls.length - MAX_WEBHOOKS);
      expect(created.filter((w) => w.url.includes('//shared.example.com/')).length).toBeLessThanOrEqual(
        MAX_WEBHOOKS_PER_HOST,
      );
      for (const error of refused) {
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).status).toBe(409);
      }
      expect(await held(user.id, 'webhook_endpoints')).toEqual({
        rows: created.length,
        counted: created.length,
      });
    }
  });

  it('gives the slots deletions free to as many creations racing with them, and no more', async () => {
    const user = await newTestUser(repos, 'free');
    const hooks = await Promise.all(Array.from({ length: MAX_WEBHOOKS }, () => createWebhook(user.id)));
    const keys = await Promise.all(Array.from({ length: MAX_API_KEYS }, () => createKey(user.id)));
    await expect(createWebhook(user.id)).rejects.toThrow(`You already have ${MAX_WEBHOOKS} webhooks`);
    await expect(createKey(user.id)).rejects.toThrow(`You already have ${MAX_API_KEYS} API keys`);

    const removals = [
      ...hooks.slice(0, 3).map((h) => repos.webhooks.remove(user.id, h.id)),
      ...keys.slice(0, 3).map((k) => repos.apiKeys.remove(user.id, k.id)),
    ];
    const creations = Promise.allSettled([
      ...Array.from({ length: 10 }, () => createWebhook(user.id)),
      ...Array.from({ length: 10 }, () => createKey(user.id)),
    ]);
    await Promise.all(removals);
    const results = await creations;
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(6);
    const afterHooks = await held(user.id, 'webhook_endpoints');
    const afterKeys = await held(user.id, 'api_keys');
    expect(afterHooks.counted).toBe(afterHooks.rows);
    expect(afterKeys.counted).toBe(afterKeys.rows);
    expect(afterHooks.rows).toBeLessThanOrEqual(MAX_WEBHOOKS);
    expect(afterKeys.rows).toBeLessThanOrEqual(MAX_API_KEYS);

    // Once the racing creations are settled, every freed slot can be taken again.
    await Promise.all(Array.from({ length: MAX_WEBHOOKS - afterHooks.rows }, () => createWebhook(user.id)));
    await Promise.all(Array.from({ length: MAX_API_KEYS - afterKeys.rows }, () => createKey(user.id)));
    expect(await held(user.id, 'webhook_endpoints')).toEqual({ rows: MAX_WEBHOOKS, counted: MAX_WEBHOOKS });
    expect(await held(user.id, 'api_keys')).toEqual({ rows: MAX_API_KEYS, counted: MAX_API_KEYS });
  });

  it('erases an account that holds keys and webhooks, leaving other users’ counters as they were', async () => {
    const gone = await newTestUser(repos, 'gone');
    const kept = await newTestUser(repos, 'kept');
    for (const user of [gone, kept]) {
      await Promise.all([createKey(user.id), createKey(user.id), createWebhook(user.id)]);
    }
    await t.db.execute(sql`DELETE FROM users WHERE id = ${gone.id}::uuid`);
    expect(await held(gone.id, 'api_keys')).toEqual({ rows: 0, counted: null });
    expect(await held(kept.id, 'api_keys')).toEqual({ rows: 2, counted: 2 });
    expect(await held(kept.id, 'webhook_endpoints')).toEqual({ rows: 1, counted: 1 });
  });
});
