/**
 * One account may point at most MAX_WEBHOOKS_PER_HOST endpoints at one host, and never two at the same URL:
 * each event goes to every endpoint, so otherwise one account could have a third party's server sent every
 * event many times over. The bound holds on creation and on a change of URL, and for creations that race.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { MAX_WEBHOOKS_PER_HOST } from '#shared/webhooks/target-host.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newTestUser, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('webhooks per host on', (driver) => {
  const { t, repos } = suiteDatabase(driver);
  const create = (userId: string, url: string) =>
    repos.webhooks.create({ userId, url, secret: 'whsec_test' });

  async function urls(userId: string): Promise<string[]> {
    const rows = await rawRows<{ url: string }>(
      t.db,
      sql`SELECT url FROM webhook_endpoints WHERE user_id = ${userId}::uuid ORDER BY url`,
    );
    return rows.map((r) => r.url);
  }

  it('refuses a fourth endpoint on one host, whatever its port, path, query or case', async () => {
    const user = await newTestUser(repos, 'host');
    await create(user.id, 'https://victim.example/a?1');
    await create(user.id, 'https://victim.example:8443/b?2');
    await create(user.id, 'https://VICTIM.example./c');
    const fourth = create(user.id, 'https://victim.example/d?4');
    await expect(fourth).rejects.toBeInstanceOf(ConflictError);
    await expect(fourth).rejects.toThrow(
      `You already have ${MAX_WEBHOOKS_PER_HOST} webhooks to victim.example; at most ${MAX_WEBHOOKS_PER_HOST}`,
    );
    // Other hosts, and the same host for another account, are not held by it.
    await create(user.id, 'https://other.example/a');
    await create((await newTestUser(repos, 'host2')).id, 'https://victim.example/a?1');
    expect(await urls(user.id)).toHaveLength(4);
  });

  it('compares IP literals in their canonical form', async () => {
    const user = await newTestUser(repos, 'ip');
    await create(user.id, 'https://203.0.113.7/a');
    await create(user.id, 'https://[::ffff:203.0.113.7]/b');
    await create(user.id, 'https://[::FFFF:cb00:7107]:444/c');
    await expect(create(user.id, 'https://0xcb.0.113.7:8443/d')).rejects.toThrow(
      'You already have 3 webhooks to 203.0.113.7',
    );
    await create(user.id, 'https://[2001:db8:0:0:0:0:0:1]/a');
    await create(user.id, 'https://[2001:db8::1]/b');
    await create(user.id, 'https://[2001:DB8::0:1]/c');
    await expect(create(user.id, 'https://[2001:db8::1]/d')).rejects.toThrow(
      'You already have 3 webhooks to 2001:db8::1',
    );
  });

  it('refuses a second endpoint with the same URL, and takes it once the first is gone', async () => {
    const user = await newTestUser(repos, 'dup');
    const first = await create(user.id, 'https://dup.example/hook');
    await expect(create(user.id, 'https://dup.example/hook')).rejects.toThrow(
      `Your webhook ${first.id} already points at https://dup.example/hook`,
    );
    await expect(create(user.id, 'https://dup.example/hook#again')).rejects.toBeInstanceOf(ConflictError);
    await repos.webhooks.remove(user.id, first.id);
    await create(user.id, 'https://dup.example/hook');
  });

  it('refuses a change of URL that would be the fourth on its host or a duplicate, and keeps the old URL', async () => {
    const user = await newTestUser(repos, 'upd');
    for (const path of ['a', 'b', 'c']) await create(user.id, `https://full.example/${path}`);
    const moving = await create(user.id, 'https://elsewhere.example/x');
    await expect(
      repos.webhooks.update(user.id, moving.id, { url: 'https://full.example/d' }),
    ).rejects.toThrow('You already have 3 webhooks to full.example');
    await expect(
      repos.webhooks.update(user.id, moving.id, { url: 'https://elsewhere.example/x', description: 'same' }),
    ).resolves.toMatchObject({ url: 'https://elsewhere.example/x', description: 'same' });
    const other = await create(user.id, 'https://elsewhere.example/y');
    await expect(
      repos.webhooks.update(user.id, other.id, { url: 'https://elsewhere.example/x' }),
    ).rejects.toThrow(`Your webhook ${moving.id} already points at`);
    expect((await repos.webhooks.get(user.id, other.id)).url).toBe('https://elsewhere.example/y');
    // Changes that leave the URL alone, and moves within the host's share, still go through.
    await repos.webhooks.update(user.id, other.id, { enabled: false });
    const onFull = (await repos.webhooks.list(user.id, { limit: 100 })).items.find((w) =>
      w.url.endsWith('/a'),
    )!;
    await repos.webhooks.update(user.id, onFull.id, { url: 'https://full.example/a2' });
    await expect(
      repos.webhooks.update(user.id, onFull.id, { url: 'https://nowhere.example/' }),
    ).resolves.toBeDefined();
    await expect(
      repos.webhooks.update((await newTestUser(repos, 'upd2')).id, moving.id, { url: 'https://z.example/' }),
    ).rejects.toThrow('webhook');
  });

  // Only a real server runs statements at once (PGlite has one connection): declared only there.
  if (driver.realServer)
    it('creates exactly 3 of 12 endpoints on one host asked for at once, and one of 6 identical ones', async () => {
      for (let round = 0; round < 4; round += 1) {
        const user = await newTestUser(repos, 'race');
        const results = await Promise.allSettled([
          ...Array.from({ length: 12 }, (_, i) => create(user.id, `https://race.example/${i}`)),
          ...Array.from({ length: 6 }, () => create(user.id, 'https://same.example/hook')),
          ...Array.from({ length: 4 }, (_, i) => {
            const hook = create(user.id, `https://mover${i}.example/`);
            return hook.then((h) =>
              repos.webhooks.update(user.id, h.id, { url: `https://race.example/m${i}` }),
            );
          }),
        ]);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        const held = await urls(user.id);
        expect(held.filter((u) => u.startsWith('https://race.example/'))).toHaveLength(MAX_WEBHOOKS_PER_HOST);
        expect(held.filter((u) => u === 'https://same.example/hook')).toHaveLength(1);
      }
    });
});
