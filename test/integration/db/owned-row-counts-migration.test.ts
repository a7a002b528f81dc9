/** The migration that adds users.api_key_count and users.webhook_count fills them from the rows already there. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate, migrationsFolder } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { createWebhookRepository, MAX_WEBHOOKS } from '#shared/webhooks/repository.ts';

it('counts each user’s keys and webhooks, and a user already past a bound keeps them all', async () => {
  const before = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  const handle = await openPglite();
  try {
    // The migrations as they were before the counters.
    await cp(migrationsFolder(), before, { recursive: true });
    const journalFile = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8'));
    journal.entries = journal.entries.filter((e: { tag: string }) => !e.tag.includes('owned-row-counts'));
    expect(journal.entries.length).toBeGreaterThan(0);
    await writeFile(journalFile, JSON.stringify(journal));
    await migrate(handle.db, before);

    // Raw SQL: the tables as they were then. `over` holds more webhooks than the bound, as parallel
    // creations could leave behind.
    const over = MAX_WEBHOOKS + 2;
    await handle.db.execute(sql`
      INSERT INTO users (id, email, username, storage_limit) VALUES
        ('00000000-0000-4000-8000-000000000001', 'a@example.com', 'ann', 1),
        ('00000000-0000-4000-8000-000000000002', 'b@example.com', 'bob', 1),
        ('00000000-0000-4000-8000-000000000003', 'c@example.com', 'cat', 1)`);
    await handle.db.execute(sql`
      INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes)
        SELECT '00000000-0000-4000-8000-000000000001', 'k', 'avk_x', 'hash' || n, 'read'
        FROM generate_series(1, 3) n`);
    await handle.db.execute(sql`
      INSERT INTO webhook_endpoints (user_id, url, secret)
        SELECT '00000000-0000-4000-8000-000000000002', 'https://example.com/' || n, 's'
        FROM generate_series(1, ${over}::int) n`);
    await handle.db.execute(sql`
      INSERT INTO webhook_endpoints (user_id, url, secret)
        VALUES ('00000000-0000-4000-8000-000000000001', 'https://example.com/a', 's')`);

    await migrate(handle.db);
    const counts = await rawRows<{ username: string; api_key_count: number; webhook_count: number }>(
      handle.db,
      sql`SELECT username, api_key_count, webhook_count FROM users ORDER BY username`,
    );
    expect(counts).toEqual([
      { username: 'ann', api_key_count: 3, webhook_count: 1 },
      { username: 'bob', api_key_count: 0, webhook_count: over },
      { username: 'cat', api_key_count: 0, webhook_count: 0 },
    ]);

    // Past the bound: nothing new until enough are deleted to be below it.
    const webhooks = createWebhookRepository(handle.db);
    const bob = '00000000-0000-4000-8000-000000000002';
    const create = () => webhooks.create({ userId: bob, url: 'https://example.com/new', secret: 's' });
    await expect(create()).rejects.toBeInstanceOf(ConflictError);
    const held = await webhooks.list(bob, { limit: 3 });
    for (const endpoint of held.items) await webhooks.remove(bob, endpoint.id);
    await create();
    await expect(create()).rejects.toBeInstanceOf(ConflictError);
  } finally {
    await handle.close();
    await rm(before, { recursive: true, force: true });
  }
});
