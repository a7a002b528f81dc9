/**
 * The migration that adds users.api_key_count and users.webhook_count fills them from the rows already
 * there, on PGlite and (with DATABASE_URL) on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { createWebhookRepository, MAX_WEBHOOKS } from '#shared/webhooks/repository.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const CAT = '00000000-0000-4000-8000-000000000003';

async function countsAfterMigration({ db }: DatabaseHandle) {
  // The database as it was before 0012: drizzle applies only migrations newer than the last one applied, so
  // a later migration applied here would make it skip 0012 and 0013.
  await migrateOnly(db, (tag) => tag < '0012');
  // Raw SQL: the tables as they were then. Bob holds more webhooks than the bound, as parallel creations
  // could leave behind.
  const over = MAX_WEBHOOKS + 2;
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit) VALUES
      (${ANN}::uuid, 'a@example.com', 'ann', 1),
      (${BOB}::uuid, 'b@example.com', 'bob', 1),
      (${CAT}::uuid, 'c@example.com', 'cat', 1)`);
  await db.execute(sql`
    INSERT INTO api_keys (user_id, name, prefix, key_hash, scopes)
    SELECT ${ANN}::uuid, 'k', 'avk_x', 'hash' || n, 'read' FROM generate_series(1, 3) n`);
  await db.execute(sql`
    INSERT INTO webhook_endpoints (user_id, url, secret)
    SELECT ${BOB}::uuid, 'https://example.com/' || n, 's' FROM generate_series(1, ${over}::int) n`);
  await db.execute(sql`
    INSERT INTO webhook_endpoints (user_id, url, secret) VALUES (${ANN}::uuid, 'https://example.com/a', 's')`);

  await migrate(db);
  const counts = await rawRows<{ username: string; api_key_count: number; webhook_count: number }>(
    db,
    sql`SELECT username, api_key_count, webhook_count FROM users ORDER BY username`,
  );
  expect(counts).toEqual([
    { username: 'ann', api_key_count: 3, webhook_count: 1 },
    { username: 'bob', api_key_count: 0, webhook_count: over },
    { username: 'cat', api_key_count: 0, webhook_count: 0 },
  ]);

  // Past the bound: nothing new until enough are deleted to be below it.
  const webhooks = createWebhookRepository(db);
  const create = () =>
    webhooks.create({ userId: BOB, url: `https://${randomUUID()}.example.com/`, secret: 's' });
  await expect(create()).rejects.toBeInstanceOf(ConflictError);
  const held = await webhooks.list(BOB, { limit: 3 });
  for (const endpoint of held.items) await webhooks.remove(BOB, endpoint.id);
  await create();
  await expect(create()).rejects.toBeInstanceOf(ConflictError);
}

describeMigration(
  'owned-row counters migration',
  'counts each user’s keys and webhooks, and a user already past a bound keeps them all',
  countsAfterMigration,
);
