/**
 * Statements that lock the owner's row and then the job's (a cancel or MarkFailed, and a clip's
 * registration that completes its job) meeting a session that holds the job's row and then takes a KEY SHARE
 * lock on the owner's: the job's start does, as its UPDATE's triggers insert rows that reference the owner
 * (events), and a foreign-key check takes KEY SHARE on the referenced row. An owner lock that conflicted with
 * KEY SHARE (FOR UPDATE) closed a cycle that PostgreSQL broke by failing one of the two (40P01, a 500 on the
 * cancel, seen under the job-creation benchmark). Only a real server has concurrent sessions, so only the
 * PostgreSQL case runs these.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DRIVER_CASES } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const nodePostgres = DRIVER_CASES.find((d) => d.name === 'node-postgres')!;

describe.skipIf(nodePostgres.skipReason !== undefined)(
  `owner-then-job locks meeting the job's start on node-postgres${nodePostgres.skipReason ? ` (skipped: ${nodePostgres.skipReason})` : ''}`,
  () => {
    const { t, repos } = suiteDatabase(nodePostgres);

    async function newJob(tag: string) {
      const { user, project } = await newOwner(repos, tag);
      const job = await repos.jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 5,
      });
      return { user, project, job };
    }

    /**
     * Holds the job's row in one session, starts `statement` (which locks the owner and waits for the job,
     * its text matched by `waiting`), then has the holding session insert a row referencing the owner: both
     * must succeed, one after the other.
     */
    async function meetTheStart(
      userId: string,
      jobId: string,
      waiting: string,
      statement: () => Promise<unknown>,
    ) {
      const pool = (t.db as unknown as { $client: pg.Pool }).$client;
      const starter = await pool.connect();
      try {
        await starter.query('BEGIN');
        await starter.query('SELECT id FROM generation_jobs WHERE id = $1 FOR UPDATE', [jobId]);
        const outcome = statement().then(
          () => 'done',
          (error: { cause?: { code?: string }; code?: string }) => error.cause?.code ?? error.code ?? 'error',
        );
        for (;;) {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
            [`%${waiting}%`],
          );
          if (rows[0]!.n > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // What the start's triggers write: an event, whose foreign key takes KEY SHARE on the owner. (A
        // project would not do since migration 0016: its counter trigger updates the owner's row.)
        const fkCheck = await starter
          .query(`INSERT INTO events (user_id, type, data) VALUES ($1, 'job.progress', '{}')`, [userId])
          .then(
            () => 'inserted',
            (error: { code?: string }) => error.code ?? 'error',
          );
        await starter.query(fkCheck === 'inserted' ? 'COMMIT' : 'ROLLBACK');
        expect({ fkCheck, statement: await outcome }).toEqual({ fkCheck: 'inserted', statement: 'done' });
      } finally {
        starter.release();
      }
    }

    it('a cancel waits for the start instead of deadlocking with its foreign-key checks', async () => {
      const { user, job } = await newJob('dl');
      await meetTheStart(user.id, job.id, 'WITH owner AS', () => repos.jobs.cancel(user.id, job.id));
      expect((await repos.jobs.get(user.id, job.id)).status).toBe('FAILED');
    });

    it('a clip registration that completes its job does too', async () => {
      const { user, project, job } = await newJob('dr');
      await repos.jobs.markProcessing(job.id);
      await meetTheStart(user.id, job.id, 'WITH ready AS', () =>
        repos.clips.register({
          userId: user.id,
          projectId: project.id,
          jobId: job.id,
          title: 'clip',
          duration: 6,
          fileUrl: `users/${user.id}/projects/${project.id}/clips/${randomUUID()}/video.mp4`,
          thumbnailUrl: 'thumb.jpg',
          fileSize: 10,
          resolution: '1280x720',
          format: 'mp4',
        }),
      );
      expect((await repos.jobs.get(user.id, job.id)).status).toBe('COMPLETED');
    });
  },
);
