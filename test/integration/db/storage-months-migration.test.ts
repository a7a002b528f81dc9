/**
 * The migration that meters storage by month fills the months before it from the clips still held, each
 * counted from its registration, on PGlite and (with DATABASE_URL) on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { PRICE_TABLE } from '#shared/usage/prices.ts';
import { currentMonth, monthlyUsage } from '#shared/usage/usage.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const PROJECT = '00000000-0000-4000-8000-0000000000aa';
const MiB = 1024 ** 2;

async function filledFromClips({ db }: DatabaseHandle) {
  await migrateOnly(db, (tag) => tag < '0020');
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit, storage_used)
    VALUES (${ANN}::uuid, 'a@example.com', 'ann', ${1024 * MiB}, ${300 * MiB})`);
  await db.execute(
    sql`INSERT INTO video_projects (id, user_id, title) VALUES (${PROJECT}::uuid, ${ANN}::uuid, 'a')`,
  );
  // 100 MiB since 11 June 2025, 200 MiB more since noon on 21 July 2025.
  await db.execute(sql`
    INSERT INTO video_clips (project_id, user_id, title, duration, file_url, file_size, storage_bytes, resolution, format, created_at)
    VALUES
      (${PROJECT}::uuid, ${ANN}::uuid, 'a', 1, 'a.mp4', 1, ${100 * MiB}, '640x360', 'mp4', '2025-06-11T00:00:00Z'),
      (${PROJECT}::uuid, ${ANN}::uuid, 'b', 1, 'b.mp4', 1, ${200 * MiB}, '640x360', 'mp4', '2025-07-21T12:00:00Z')`);

  await migrate(db);
  const storage = async (month: string) => {
    const u = await monthlyUsage(db, ANN, month);
    return [u.storageBytes, u.storageByteHours, u.storageGbMonths, u.estimatedCostUsd.s3Storage];
  };
  expect(await storage('2025-05')).toEqual([0, 0, 0, 0]);
  const june = 100 * MiB * 20 * 24;
  const juneGbMonths = june / 1024 ** 3 / (30 * 24);
  expect(await storage('2025-06')).toEqual([
    100 * MiB,
    june,
    Number(juneGbMonths.toFixed(9)),
    Number((juneGbMonths * PRICE_TABLE.s3PerGbMonthUsd).toFixed(6)),
  ]);
  const july = 100 * MiB * 31 * 24 + 200 * MiB * (10 * 24 + 12);
  expect((await storage('2025-07')).slice(0, 3)).toEqual([
    300 * MiB,
    july,
    Number((july / 1024 ** 3 / (31 * 24)).toFixed(9)),
  ]);
  // From then on both clips held every month whole; August has 31 days.
  expect((await storage('2025-08')).slice(0, 3)).toEqual([300 * MiB, 300 * MiB * 31 * 24, 0.29296875]);
  expect((await storage(currentMonth()))[0]).toBe(300 * MiB);
}

describeMigration(
  'storage months migration',
  'fills past months from the clips still held, each from when it was registered',
  filledFromClips,
);
