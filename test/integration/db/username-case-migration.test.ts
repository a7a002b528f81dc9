/** The migration to case-insensitive usernames keeps rows that differed only by case, renaming the later. */
import { asc, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import { users } from '#shared/db/tables.ts';
import { migrateOnly } from '#test/support/migrations.ts';

it('renames the later of two usernames that differ only by case, then enforces the rule', async () => {
  const handle = await openPglite();
  try {
    // The migrations as they were before this change: only the first one.
    await migrateOnly(handle.db, (tag) => tag === '0000_init');
    // Raw SQL: the table as it was then, not as tables.ts describes it now.
    await handle.db.execute(sql`
      INSERT INTO users (email, username, storage_limit, created_at) VALUES
        ('a@example.com', 'Ann', 1, '2026-01-01T00:00:00Z'),
        ('b@example.com', 'ann', 1, '2026-01-02T00:00:00Z'),
        ('c@example.com', 'ANN', 1, '2026-01-03T00:00:00Z'),
        ('d@example.com', 'bob', 1, '2026-01-01T00:00:00Z')`);

    await migrate(handle.db);
    const names = await handle.db.select().from(users).orderBy(asc(users.email));
    expect(names.map((u) => u.username.toLowerCase().startsWith('ann'))).toEqual([true, true, true, false]);
    expect(names[0]?.username).toBe('Ann');
    expect(names[1]?.username).toMatch(/^ann_[0-9a-f]{8}$/);
    expect(names[2]?.username).toMatch(/^ANN_[0-9a-f]{8}$/);
    expect(names[3]?.username).toBe('bob');
    await expect(
      handle.db.insert(users).values({ email: 'e@example.com', username: 'BOB', storageLimit: 1 }),
    ).rejects.toThrow();
  } finally {
    await handle.close();
  }
});
