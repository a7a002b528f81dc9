/**
 * A project's deletion stops the execution of every job it removes, including one submitted while the
 * deletion runs: such a job either is seen (and ended, and its execution stopped) by the deletion, or is
 * refused as having no project. Before, a job created after the deletion had listed the running ones went
 * with the project unseen, and its transcode ran to the end for nothing.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { NotFoundError } from '#shared/errors.ts';
import type { NewJob } from '#shared/jobs/repository.ts';
import { createProjectService } from '#shared/projects/service.ts';
import { jobWorkPrefix } from '#shared/storage/keys.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { DRIVER_CASES, describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, type Repositories, suiteDatabase } from '#test/support/repositories.ts';

const job = (userId: string, projectId: string): NewJob => ({
  userId,
  projectId,
  jobType: 'GENERATE',
  prompt: 'a fox',
  parameters: { model: 'local', durationSeconds: 6 },
  concurrentLimit: 10,
});

function harness(repos: Repositories, projects: Repositories['projects'] = repos.projects) {
  const stopped: string[] = [];
  const deleted: string[] = [];
  const service = createProjectService({
    projects,
    store: { deletePrefix: async (prefix: string) => void deleted.push(prefix) } as unknown as ObjectStore,
    workflow: {
      start: async () => 'started',
      stop: async (jobId: string) => void stopped.push(jobId),
    },
  });
  return { service, stopped, deleted };
}

describeEachDriver('project deletion and its jobs on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('stops a job that started after the deletion began, and records it as ended', async () => {
    const { user, project } = await newOwner(repos, 'pdj');
    const early = await repos.jobs.create(job(user.id, project.id));
    let late: string | undefined;
    // The job is submitted and starts running between the deletion's first look and its removal of the rows.
    const { service, stopped, deleted } = harness(repos, {
      ...repos.projects,
      remove: async (userId: string, id: string) => {
        late = (await repos.jobs.create(job(user.id, project.id))).id;
        await repos.jobs.markProcessing(late);
        return repos.projects.remove(userId, id);
      },
    });
    await service.remove(user.id, project.id);
    expect(late).toBeDefined();
    expect(stopped.sort()).toEqual([early.id, late!].sort());
    expect(deleted).toContain(jobWorkPrefix(user.id, late!));
    await expect(repos.jobs.get(user.id, late!)).rejects.toBeInstanceOf(NotFoundError);
    const usage = await rawRows<{ job_id: string; outcome: string }>(
      t.db,
      sql`SELECT job_id::text, outcome FROM job_usage WHERE user_id = ${user.id}::uuid ORDER BY job_id`,
    );
    expect(usage).toEqual([early.id, late!].sort().map((id) => ({ job_id: id, outcome: 'failed' })));
    const [owner] = await rawRows<{ active: number }>(
      t.db,
      sql`SELECT active_jobs AS active FROM users WHERE id = ${user.id}::uuid`,
    );
    expect(owner?.active).toBe(0);
  });

  it('ends nothing and stops nothing when the project is not the caller’s', async () => {
    const { user, project } = await newOwner(repos, 'pdo');
    const other = await newOwner(repos, 'pdx');
    const running = await repos.jobs.create(job(user.id, project.id));
    const { service, stopped } = harness(repos);
    await expect(service.remove(other.user.id, project.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(stopped).toEqual([]);
    expect(await repos.jobs.get(user.id, running.id)).toMatchObject({ status: 'QUEUED' });
  });
});

const nodePostgres = DRIVER_CASES.find((d) => d.name === 'node-postgres')!;

describe.skipIf(nodePostgres.skipReason !== undefined)(
  `jobs submitted during a project's deletion on node-postgres${nodePostgres.skipReason ? ` (skipped: ${nodePostgres.skipReason})` : ''}`,
  () => {
    const { t, repos } = suiteDatabase(nodePostgres);
    const pool = () => (t.db as unknown as { $client: pg.Pool }).$client;

    /** Waits until some statement of this database waits for a row lock. */
    async function someoneWaits() {
      for (;;) {
        const { rows } = await pool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    it('stops a job whose insert commits while the deletion waits for it', async () => {
      const { user, project } = await newOwner(repos, 'pdw');
      const { service, stopped } = harness(repos);
      const session = await pool().connect();
      let jobId: string;
      try {
        // A submission's insert, as jobs.create makes it (the owner's row locked first), not yet committed.
        await session.query('BEGIN');
        await session.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [user.id]);
        const { rows } = await session.query<{ id: string }>(
          `INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, parameters, admitted)
           VALUES ($1, $2, 'GENERATE', 'a fox', '{}', true) RETURNING id::text AS id`,
          [project.id, user.id],
        );
        jobId = rows[0]!.id;
        const removal = service.remove(user.id, project.id);
        await someoneWaits();
        await session.query('COMMIT');
        await removal;
      } finally {
        await session.query('ROLLBACK').catch(() => {});
        session.release();
      }
      expect(stopped).toEqual([jobId]);
    });

    it('refuses a job whose insert waits for the deletion with 404, not a foreign-key error', async () => {
      const { user, project } = await newOwner(repos, 'pdr');
      const session = await pool().connect();
      try {
        // The deletion, holding the owner's row, not yet committed.
        await session.query('BEGIN');
        await session.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [user.id]);
        await session.query('DELETE FROM video_projects WHERE id = $1', [project.id]);
        const creation = repos.jobs.create(job(user.id, project.id)).then(
          () => 'created',
          (error: unknown) => error,
        );
        await someoneWaits();
        await session.query('COMMIT');
        expect(await creation).toBeInstanceOf(NotFoundError);
      } finally {
        await session.query('ROLLBACK').catch(() => {});
        session.release();
      }
      const [owner] = await rawRows<{ active: number }>(
        t.db,
        sql`SELECT active_jobs AS active FROM users WHERE id = ${user.id}::uuid`,
      );
      expect(owner?.active).toBe(0);
    });
  },
);
