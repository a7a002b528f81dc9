/**
 * The migration to template names unique per user regardless of case keeps every template: of names that
 * differ only by case, the oldest stays and the later ones get " (n)", on PGlite and (with DATABASE_URL) on
 * PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { createTemplateRepository } from '#shared/templates/repository.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const id = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
const LONG = 'x'.repeat(100);

async function namesAfterMigration({ db }: DatabaseHandle) {
  // The database as it was before 0023 (drizzle skips a migration older than the last one applied).
  await migrateOnly(db, (tag) => tag < '0023');
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit) VALUES
      (${ANN}::uuid, 'a@example.com', 'ann', 1), (${BOB}::uuid, 'b@example.com', 'bob', 1)`);
  // Raw SQL: the table as it was then. [id, owner, name, created_at]; ids 5 and 6 share a created_at, so the
  // id decides which is the later; "Intro (2)" is already taken, so the later "Intro"s go past it.
  const seeded: [number, string | null, string, string][] = [
    [1, ANN, 'Intro', '2026-01-01'],
    [2, ANN, 'intro', '2026-01-02'],
    [3, ANN, 'INTRO', '2026-01-03'],
    [4, ANN, 'intro (2)', '2026-01-04'],
    [6, ANN, 'École', '2026-01-05'],
    [5, ANN, 'éCOLE', '2026-01-05'],
    [7, ANN, LONG, '2026-01-06'],
    [8, ANN, LONG.toUpperCase(), '2026-01-07'],
    [9, BOB, 'intro', '2026-01-08'],
    // Templates without a creator were never bound by the rule and are left alone.
    [10, null, 'Stock', '2026-01-01'],
    [11, null, 'STOCK', '2026-01-02'],
  ];
  for (const [n, owner, name, at] of seeded)
    await db.execute(sql`
      INSERT INTO templates (id, name, category, prompt, created_by, created_at)
      VALUES (${id(n)}::uuid, ${name}, 'general', 'p', ${owner}::uuid, ${`${at}T00:00:00Z`}::timestamptz)`);

  await migrate(db);
  const rows = await rawRows<{ id: string; name: string }>(
    db,
    sql`SELECT id::text, name FROM templates ORDER BY id`,
  );
  expect(Object.fromEntries(rows.map((r) => [Number(r.id.slice(-12)), r.name]))).toEqual({
    1: 'Intro',
    2: 'intro (3)',
    3: 'INTRO (4)',
    4: 'intro (2)',
    5: 'éCOLE',
    6: 'École (2)',
    7: LONG,
    8: `${'X'.repeat(96)} (2)`,
    9: 'intro',
    10: 'Stock',
    11: 'STOCK',
  });

  // From now on the rule holds.
  const templates = createTemplateRepository(db);
  await expect(
    templates.create(ANN, { name: 'iNtRo', category: 'general', prompt: 'p' }),
  ).rejects.toBeInstanceOf(ConflictError);
  await templates.create(ANN, { name: 'Intro (5)', category: 'general', prompt: 'p' });
}

describeMigration(
  'template name case migration',
  'renames the later of names that differ only by case, then refuses such a name',
  namesAfterMigration,
);
