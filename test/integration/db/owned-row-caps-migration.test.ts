/**
 * The migration that adds users.project_count, template_count and upload_count fills them from the rows
 * already there, on PGlite and (with DATABASE_URL) on PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { migrate } from '#shared/db/migrate.ts';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError } from '#shared/errors.ts';
import { createProjectRepository, MAX_PROJECTS } from '#shared/projects/repository.ts';
import { describeMigration, migrateOnly } from '#test/support/migrations.ts';

const ANN = '00000000-0000-4000-8000-000000000001';
const BOB = '00000000-0000-4000-8000-000000000002';
const CAT = '00000000-0000-4000-8000-000000000003';
const PROJECT = '00000000-0000-4000-8000-0000000000aa';

async function countsAfterMigration({ db }: DatabaseHandle) {
  // The database as it was before 0016 (drizzle applies only migrations newer than the last one applied).
  await migrateOnly(db, (tag) => tag < '0016');
  // Raw SQL: the tables as they were then. Bob holds more projects than the cap.
  const over = MAX_PROJECTS + 2;
  await db.execute(sql`
    INSERT INTO users (id, email, username, storage_limit, storage_reserved) VALUES
      (${ANN}::uuid, 'a@example.com', 'ann', 100, 30),
      (${BOB}::uuid, 'b@example.com', 'bob', 100, 0),
      (${CAT}::uuid, 'c@example.com', 'cat', 100, 0)`);
  await db.execute(sql`
    INSERT INTO video_projects (id, user_id, title) VALUES (${PROJECT}::uuid, ${ANN}::uuid, 'a')`);
  await db.execute(sql`
    INSERT INTO video_projects (user_id, title)
    SELECT ${BOB}::uuid, 'p' || n FROM generate_series(1, ${over}::int) n`);
  await db.execute(sql`
    INSERT INTO templates (created_by, name, category, prompt)
    SELECT ${ANN}::uuid, 't' || n, 'general', 'a fox' FROM generate_series(1, 4) n`);
  await db.execute(sql`
    INSERT INTO templates (created_by, name, category, prompt, is_public)
    VALUES (NULL, 'shared', 'general', 'a fox', true)`);
  await db.execute(sql`
    INSERT INTO upload_reservations (id, user_id, project_id, bytes, expires_at)
    SELECT gen_random_uuid(), ${ANN}::uuid, ${PROJECT}::uuid, 10, now() + interval '1 hour'
    FROM generate_series(1, 3)`);

  await migrate(db);
  const counts = await rawRows<{
    username: string;
    project_count: number;
    template_count: number;
    upload_count: number;
  }>(db, sql`SELECT username, project_count, template_count, upload_count FROM users ORDER BY username`);
  expect(counts).toEqual([
    { username: 'ann', project_count: 1, template_count: 4, upload_count: 3 },
    { username: 'bob', project_count: over, template_count: 0, upload_count: 0 },
    { username: 'cat', project_count: 0, template_count: 0, upload_count: 0 },
  ]);

  // Past the cap: nothing new until enough are deleted to be below it.
  const projects = createProjectRepository(db);
  const create = () => projects.create(BOB, { title: 'new' });
  await expect(create()).rejects.toBeInstanceOf(ConflictError);
  const held = await projects.list(BOB, { limit: 3 });
  for (const project of held.items) await projects.remove(BOB, project.id);
  await create();
  await expect(create()).rejects.toBeInstanceOf(ConflictError);
}

describeMigration(
  'owned-row caps migration',
  'counts each user’s projects, templates and uploads, and a user past a cap keeps them all',
  countsAfterMigration,
);
