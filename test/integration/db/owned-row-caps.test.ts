/**
 * Per-user bounds on projects, templates and uploads in progress hold when creations arrive together (on a
 * real PostgreSQL, parallel statements run at once), deletions give their places back, and erasing an
 * account takes its counters with it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { ConflictError, TooManyRequestsError } from '#shared/errors.ts';
import { MAX_PROJECTS } from '#shared/projects/repository.ts';
import { MAX_TEMPLATES } from '#shared/templates/repository.ts';
import { MAX_UPLOADS_IN_PROGRESS } from '#shared/uploads/reservations.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, newTestUser, suiteDatabase } from '#test/support/repositories.ts';

type Owned = 'video_projects' | 'templates' | 'upload_reservations';
const COUNTER: Record<Owned, string> = {
  video_projects: 'project_count',
  templates: 'template_count',
  upload_reservations: 'upload_count',
};

describeEachDriver('per-user caps on projects, templates and uploads on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  /** The user's rows in `table` and the counter the users row keeps for them. */
  async function held(userId: string, table: Owned) {
    const owner = table === 'templates' ? 'created_by' : 'user_id';
    const [row] = await rawRows<{ rows: number; counted: number | null }>(
      t.db,
      sql`SELECT (SELECT count(*)::int FROM ${sql.identifier(table)} WHERE ${sql.identifier(owner)} = ${userId}::uuid) AS rows,
                 (SELECT ${sql.identifier(COUNTER[table])} FROM users WHERE id = ${userId}::uuid) AS counted`,
    );
    return row!;
  }

  const createProject = (userId: string) => repos.projects.create(userId, { title: 'p' });
  const createTemplate = (userId: string) =>
    repos.templates.create(userId, { name: `t-${randomUUID()}`, category: 'general', prompt: 'a fox' });
  const createUpload = (userId: string, projectId: string) =>
    repos.reservations.create({ id: randomUUID(), userId, projectId, bytes: 1, ttlSeconds: 3600 });

  /** A user holding `count` projects or templates, inserted in one statement (the trigger counts them). */
  async function userHolding(table: 'video_projects' | 'templates', count: number) {
    const user = await newTestUser(repos, 'cap');
    await t.db.execute(
      table === 'video_projects'
        ? sql`INSERT INTO video_projects (user_id, title)
              SELECT ${user.id}::uuid, 'p' || n FROM generate_series(1, ${count}::int) n`
        : sql`INSERT INTO templates (created_by, name, category, prompt)
              SELECT ${user.id}::uuid, 't' || n, 'general', 'a fox' FROM generate_series(1, ${count}::int) n`,
    );
    return user;
  }

  async function expectExactly(
    places: number,
    attempts: Promise<unknown>[],
    refusal: new (...a: never[]) => Error,
  ) {
    const results = await Promise.allSettled(attempts);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(refusal);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(places);
  }

  it.each([
    { what: 'projects', table: 'video_projects', most: MAX_PROJECTS },
    { what: 'templates', table: 'templates', most: MAX_TEMPLATES },
  ] as const)(
    'creates exactly the last 5 of $most $what when 30 are asked at once, 3 times over',
    async (c) => {
      const create = c.table === 'video_projects' ? createProject : createTemplate;
      for (let round = 0; round < 3; round += 1) {
        const user = await userHolding(c.table, c.most - 5);
        expect(await held(user.id, c.table)).toEqual({ rows: c.most - 5, counted: c.most - 5 });
        await expectExactly(
          5,
          Array.from({ length: 30 }, () => create(user.id)),
          ConflictError,
        );
        expect(await held(user.id, c.table)).toEqual({ rows: c.most, counted: c.most });
      }
    },
  );

  it('starts exactly the last 5 of MAX_UPLOADS_IN_PROGRESS uploads when 30 are asked at once, 3 times over', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { user, project } = await newOwner(repos, 'up');
      await Promise.all(
        Array.from({ length: MAX_UPLOADS_IN_PROGRESS - 5 }, () => createUpload(user.id, project.id)),
      );
      await expectExactly(
        5,
        Array.from({ length: 30 }, () => createUpload(user.id, project.id)),
        TooManyRequestsError,
      );
      const most = MAX_UPLOADS_IN_PROGRESS;
      expect(await held(user.id, 'upload_reservations')).toEqual({ rows: most, counted: most });
      expect((await repos.reservations.totals(user.id))?.reserved).toBe(most);
    }
  });

  it('refuses past each cap with a message giving the limit and what to do, and a deletion frees a place', async () => {
    const projects = await userHolding('video_projects', MAX_PROJECTS);
    await expect(createProject(projects.id)).rejects.toThrow(
      `You already have ${MAX_PROJECTS} projects, the most an account may hold; delete one`,
    );
    const [first] = (await repos.projects.list(projects.id, { limit: 1 })).items;
    await repos.projects.remove(projects.id, first!.id);
    await createProject(projects.id);
    await expect(createProject(projects.id)).rejects.toBeInstanceOf(ConflictError);

    const templates = await userHolding('templates', MAX_TEMPLATES);
    await expect(createTemplate(templates.id)).rejects.toThrow(
      `You already have ${MAX_TEMPLATES} templates, the most an account may hold; delete one`,
    );
    const [template] = (await repos.templates.list(templates.id, { limit: 1 })).items;
    await repos.templates.remove(templates.id, template!.id);
    await createTemplate(templates.id);
    await expect(createTemplate(templates.id)).rejects.toBeInstanceOf(ConflictError);

    const { user, project } = await newOwner(repos, 'up');
    const ids = Array.from({ length: MAX_UPLOADS_IN_PROGRESS }, () => randomUUID());
    await Promise.all(
      ids.map((id) =>
        repos.reservations.create({ id, userId: user.id, projectId: project.id, bytes: 1, ttlSeconds: 60 }),
      ),
    );
    const refused = await createUpload(user.id, project.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).message).toContain(
      `You already have ${MAX_UPLOADS_IN_PROGRESS} uploads in progress`,
    );
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(0);
    await repos.reservations.release(ids[0]!);
    await createUpload(user.id, project.id);
    await expect(createUpload(user.id, project.id)).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('counts lapsed uploads out: the request that sweeps them is not refused for them', async () => {
    const { user, project } = await newOwner(repos, 'lapsed');
    await Promise.all(
      Array.from({ length: MAX_UPLOADS_IN_PROGRESS }, () => createUpload(user.id, project.id)),
    );
    await expect(createUpload(user.id, project.id)).rejects.toBeInstanceOf(TooManyRequestsError);
    // Ten expire; the next requests sweep them and take their places, and no more.
    await t.db.execute(sql`
      UPDATE upload_reservations SET expires_at = now() - interval '1 second'
      WHERE id IN (SELECT id FROM upload_reservations WHERE user_id = ${user.id}::uuid LIMIT 10)`);
    await expectExactly(
      10,
      Array.from({ length: 20 }, () => createUpload(user.id, project.id)),
      TooManyRequestsError,
    );
    const most = MAX_UPLOADS_IN_PROGRESS;
    expect(await held(user.id, 'upload_reservations')).toEqual({ rows: most, counted: most });
    expect((await repos.reservations.totals(user.id))?.reserved).toBe(most);
  });

  it('holds a file that has landed whatever the count (its upload was admitted when it was asked for)', async () => {
    const { user, project } = await newOwner(repos, 'landed');
    await Promise.all(
      Array.from({ length: MAX_UPLOADS_IN_PROGRESS }, () => createUpload(user.id, project.id)),
    );
    // An upload whose reservation lapsed and was swept before its file arrived reserves its bytes again.
    const late = randomUUID();
    await repos.reservations.hold({
      id: late,
      userId: user.id,
      projectId: project.id,
      bytes: 1,
      ttlSeconds: 60,
    });
    const most = MAX_UPLOADS_IN_PROGRESS + 1;
    expect(await held(user.id, 'upload_reservations')).toEqual({ rows: most, counted: most });
  });

  it('erases an account holding projects, templates and uploads, leaving other users’ counters as they were', async () => {
    const gone = await newOwner(repos, 'gone');
    const kept = await newOwner(repos, 'kept');
    for (const { user, project } of [gone, kept]) {
      await Promise.all([createProject(user.id), createTemplate(user.id), createUpload(user.id, project.id)]);
    }
    await t.db.execute(sql`DELETE FROM users WHERE id = ${gone.user.id}::uuid`);
    for (const table of ['video_projects', 'templates', 'upload_reservations'] as const) {
      expect(await held(gone.user.id, table)).toEqual({ rows: 0, counted: null });
    }
    expect(await held(kept.user.id, 'video_projects')).toEqual({ rows: 2, counted: 2 });
    expect(await held(kept.user.id, 'templates')).toEqual({ rows: 1, counted: 1 });
    expect(await held(kept.user.id, 'upload_reservations')).toEqual({ rows: 1, counted: 1 });
  });
});
