/**
 * The migration that keeps job usage fills it from the jobs that had already ended, with the figures
 * GET /v1/me/usage computed from them before, on PGlite and (with DATABASE_URL) on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { monthlyUsage } from '#shared/usage/usage.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const PROJECT = '00000000-0000-4000-8000-0000000000aa';
const CLIP = '00000000-0000-4000-8000-0000000000c1';

async function filledFromEndedJobs({ db }: DatabaseHandle) {
  await migrateOnly(db, (tag) => tag < '0021');
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit, storage_used)
    VALUES (${ANN}::uuid, 'a@example.com', 'ann', 1000000, 1000)`);
  await db.execute(
    sql`INSERT INTO video_projects (id, user_id, title) VALUES (${PROJECT}::uuid, ${ANN}::uuid, 'a')`,
  );
  await db.execute(sql`
    INSERT INTO video_clips (id, project_id, user_id, title, duration, file_url, file_size, storage_bytes, resolution, format, system)
    VALUES (${CLIP}::uuid, ${PROJECT}::uuid, ${ANN}::uuid, 'a', 6, 'a.mp4', 1000, 1000, '1280x720', 'mp4', '{"hasHls": true}')`);
  // In July 2025: a job with its 6 s clip, one whose clip was deleted (its 4 requested seconds count), a
  // cancelled one, a failed one; a job still running and one that ended in August stay out of July.
  await db.execute(sql`
    INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, parameters, status, clip_id, error_message, completed_at)
    VALUES
      (${PROJECT}::uuid, ${ANN}::uuid, 'GENERATE', 'a', '{"model": "luma-ray2", "durationSeconds": 9}', 'COMPLETED', ${CLIP}::uuid, NULL, '2025-07-02T00:00:00Z'),
      (${PROJECT}::uuid, ${ANN}::uuid, 'GENERATE', 'b', '{"model": "luma-ray2", "durationSeconds": 4}', 'COMPLETED', NULL, NULL, '2025-07-03T00:00:00Z'),
      (${PROJECT}::uuid, ${ANN}::uuid, 'EDIT', 'c', '{}', 'FAILED', NULL, 'Cancelled by user.', '2025-07-04T00:00:00Z'),
      (${PROJECT}::uuid, ${ANN}::uuid, 'GENERATE', 'd', '{"model": "luma-ray2", "durationSeconds": 5}', 'FAILED', NULL, 'Throttled.', '2025-07-05T00:00:00Z'),
      (${PROJECT}::uuid, ${ANN}::uuid, 'GENERATE', 'e', '{"model": "luma-ray2", "durationSeconds": 5}', 'PROCESSING', NULL, NULL, NULL),
      (${PROJECT}::uuid, ${ANN}::uuid, 'GENERATE', 'f', '{"model": "luma-ray2", "durationSeconds": 5}', 'COMPLETED', NULL, NULL, '2025-08-01T00:00:00Z')`);

  await migrate(db);
  const [rows] = await rawRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM job_usage`);
  expect(rows?.n).toBe(5);
  const july = await monthlyUsage(db, ANN, '2025-07');
  expect(july.jobs).toEqual({ completed: 2, failed: 1, cancelled: 1 });
  expect(july.generatedSeconds.byModel).toEqual({ 'luma-ray2': 10 });
  // 6 s at 720p ($1.50 a second) and 4 s whose frame size is unknown, priced at the dearest rate ($1.50).
  expect(july.estimatedCostUsd.bedrock).toBeCloseTo(15, 6);
  expect((await monthlyUsage(db, ANN, '2025-08')).jobs).toEqual({ completed: 1, failed: 0, cancelled: 0 });

  // From then on, deleting the project keeps July as it was.
  await db.execute(sql`DELETE FROM video_projects WHERE id = ${PROJECT}::uuid`);
  expect(await monthlyUsage(db, ANN, '2025-07')).toEqual(july);
}

describeMigration(
  'job usage migration',
  'fills job usage from the jobs that had ended, with the figures they gave before',
  filledFromEndedJobs,
);
