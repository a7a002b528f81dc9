/**
 * A cancel (or MarkFailed) that meets the job's own start. The start's UPDATE holds the job's row while its
 * triggers insert rows that reference the owner (events), and a foreign-key check takes a KEY SHARE lock on
 * the owner's row. The cancel locks the owner's row first and then the job's, so an owner lock that
 * conflicted with KEY SHARE (FOR UPDATE) closed a cycle: PostgreSQL broke it by failing one of the two
 * (40P01, a 500 on the cancel, seen under the job-creation benchmark). Only a real server has concurrent
 * sessions, so only the PostgreSQL case runs it.
 */
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DRIVER_CASES } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const nodePostgres = DRIVER_CASES.find((d) => d.name === 'node-postgres')!;

describe.skipIf(nodePostgres.skipReason !== undefined)(
  `a cancel meeting the job's start on node-postgres${nodePostgres.skipReason ? ` (skipped: ${nodePostgres.skipReason})` : ''}`,
  () => {
    const { t, repos } = suiteDatabase(nodePostgres);

    it('waits for the start instead of deadlocking with its foreign-key checks', async () => {
      const { user, project } = await newOwner(repos, 'dl');
      const job = await repos.jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 5,
      });
      const pool = (t.db as unknown as { $client: pg.Pool }).$client;
      const starter = await pool.connect();
      try {
        // The start's part before its foreign-key check: the job's row is held.
        await starter.query('BEGIN');
        await starter.query('SELECT id FROM generation_jobs WHERE id = $1 FOR UPDATE', [job.id]);
        const cancel = repos.jobs.cancel(user.id, job.id).then(
          () => 'cancelled',
          (error: { cause?: { code?: string }; code?: string }) => error.cause?.code ?? error.code ?? 'error',
        );
        // The cancel holds the owner's row and waits for the job's.
        for (;;) {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH owner AS%'`,
          );
          if (rows[0]!.n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // The start's foreign-key check on the owner (a row referencing the user, as its event is).
        const fkCheck = await starter
          .query(`INSERT INTO video_projects (user_id, title) VALUES ($1, 'fk check')`, [user.id])
          .then(
            () => 'inserted',
            (error: { code?: string }) => error.code ?? 'error',
          );
        await starter.query(fkCheck === 'inserted' ? 'COMMIT' : 'ROLLBACK');
        expect({ fkCheck, cancel: await cancel }).toEqual({ fkCheck: 'inserted', cancel: 'cancelled' });
        expect((await repos.jobs.get(user.id, job.id)).status).toBe('FAILED');
      } finally {
        starter.release();
      }
    });
  },
);
