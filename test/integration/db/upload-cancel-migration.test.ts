/**
 * The migration that lets uploads be cancelled marks the reservations already held for a job as arrived,
 * so they cannot be cancelled from under their job, on PGlite and (with DATABASE_URL) on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { createReservationRepository } from '#shared/uploads/reservations.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const PROJECT = '00000000-0000-4000-8000-0000000000aa';
const HELD = '00000000-0000-4000-8000-0000000000b1';
const AWAITED = '00000000-0000-4000-8000-0000000000b2';

async function heldStaysHeld({ db }: DatabaseHandle) {
  // The database as it was before 0019, with one upload whose file arrived (a job of its id) and one awaited.
  await migrateOnly(db, (tag) => tag < '0019');
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit, storage_reserved)
    VALUES (${ANN}::uuid, 'a@example.com', 'ann', 100, 30)`);
  await db.execute(
    sql`INSERT INTO video_projects (id, user_id, title) VALUES (${PROJECT}::uuid, ${ANN}::uuid, 'a')`,
  );
  await db.execute(sql`
    INSERT INTO upload_reservations (id, user_id, project_id, bytes, expires_at) VALUES
      (${HELD}::uuid, ${ANN}::uuid, ${PROJECT}::uuid, 10, now() + interval '1 day'),
      (${AWAITED}::uuid, ${ANN}::uuid, ${PROJECT}::uuid, 20, now() + interval '1 hour')`);
  await db.execute(sql`
    INSERT INTO generation_jobs (id, project_id, user_id, job_type, prompt)
    VALUES (${HELD}::uuid, ${PROJECT}::uuid, ${ANN}::uuid, 'TRANSCODE', 'Upload a.mp4')`);

  await migrate(db);
  const reservations = createReservationRepository(db);
  expect((await reservations.find(HELD))?.arrivedAt).toBeInstanceOf(Date);
  expect((await reservations.find(AWAITED))?.arrivedAt).toBeNull();
  expect(await reservations.cancel(ANN, HELD)).toBe('arrived');
  expect(await reservations.cancel(ANN, AWAITED)).toBe('cancelled');
  expect(await reservations.totals(ANN)).toMatchObject({ reserved: 10 });
}

describeMigration(
  'upload cancel migration',
  'marks reservations already held for a job as arrived, and leaves awaited ones cancellable',
  heldStaysHeld,
);
