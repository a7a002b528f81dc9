/**
 * The submission rate limit (TierLimits.jobsPerMinute), checked in the statement that inserts the job: every
 * job created in the last minute counts, cancelled and failed ones too, and on a real PostgreSQL parallel
 * submissions cannot pass it (a count in the statement's own snapshot would let several through). A new
 * upload (which becomes a job) is refused at the same point; a file that has landed is still held.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { TooManyRequestsError } from '#shared/errors.ts';
import type { NewJob } from '#shared/jobs/repository.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const PER_MINUTE = 5;

describeEachDriver('job submission rate limit on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  const submission = (userId: string, projectId: string): NewJob => ({
    userId,
    projectId,
    jobType: 'GENERATE',
    prompt: 'a fox',
    parameters: {},
    concurrentLimit: 100,
    jobsPerMinute: PER_MINUTE,
  });

  const jobsOf = async (userId: string) =>
    (
      await rawRows<{ n: number }>(
        t.db,
        sql`SELECT count(*)::int AS n FROM generation_jobs WHERE user_id = ${userId}::uuid`,
      )
    )[0]!.n;

  it('refuses the submission after jobsPerMinute in a minute, cancelled and failed ones counted, with Retry-After', async () => {
    const { user, project } = await newOwner(repos, 'rate', 'rate');
    for (let i = 0; i < PER_MINUTE; i += 1) {
      const job = await repos.jobs.create(submission(user.id, project.id));
      // The concurrent-job slot is given back at once: only the rate limit stands in the way.
      if (i % 2) await repos.jobs.cancel(user.id, job.id);
      else await repos.jobs.markFailed(job.id, 'failed');
    }
    expect((await repos.users.getById(user.id)).activeJobs).toBe(0);
    const refused = await repos.jobs.create(submission(user.id, project.id)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).message).toContain(
      `You submitted ${PER_MINUTE} jobs in the last minute, the most your tier allows (cancelled and failed jobs count too)`,
    );
    // The oldest of them was created just now: it leaves the window in about a minute.
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(10);
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await jobsOf(user.id)).toBe(PER_MINUTE);

    // Retry-After is the time until the oldest job that keeps the window full is a minute old.
    await t.db.execute(sql`
      UPDATE generation_jobs SET created_at = now() - interval '50 seconds' WHERE user_id = ${user.id}::uuid`);
    const soon = await repos.jobs.create(submission(user.id, project.id)).catch((e: unknown) => e);
    expect((soon as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(0);
    expect((soon as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(10);

    // Once one of them is older than a minute, one more is accepted, and only one.
    await t.db.execute(sql`
      UPDATE generation_jobs SET created_at = now() - interval '61 seconds'
      WHERE id = (SELECT id FROM generation_jobs WHERE user_id = ${user.id}::uuid ORDER BY created_at, id LIMIT 1)`);
    expect((await repos.jobs.create(submission(user.id, project.id))).status).toBe('QUEUED');
    await expect(repos.jobs.create(submission(user.id, project.id))).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
  });

  it("counts only the user's own jobs, and never refuses an upload's job (its file is stored)", async () => {
    const { user, project } = await newOwner(repos, 'ratea', 'rate');
    const { user: other, project: otherProject } = await newOwner(repos, 'rateb', 'rate');
    for (let i = 0; i < PER_MINUTE; i += 1) {
      const job = await repos.jobs.create(submission(user.id, project.id));
      await repos.jobs.cancel(user.id, job.id);
    }
    await expect(repos.jobs.create(submission(user.id, project.id))).rejects.toBeInstanceOf(
      TooManyRequestsError,
    );
    expect((await repos.jobs.create(submission(other.id, otherProject.id))).status).toBe('QUEUED');
    const upload = await repos.jobs.create({
      ...submission(user.id, project.id),
      jobType: 'TRANSCODE',
      whenFull: 'wait',
    });
    expect(upload.status).toBe('QUEUED');
    expect(await jobsOf(user.id)).toBe(PER_MINUTE + 1);
  });

  it('accepts exactly jobsPerMinute of 40 parallel submissions, 5 times over', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { user, project } = await newOwner(repos, 'raterace', 'rate');
      // Some of the window taken already, committed before the burst.
      await repos.jobs.create(submission(user.id, project.id));
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, () => repos.jobs.create(submission(user.id, project.id))),
      );
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TooManyRequestsError);
      }
      expect(results.filter((r) => r.status === 'fulfilled').length, `round ${round}`).toBe(PER_MINUTE - 1);
      expect(await jobsOf(user.id)).toBe(PER_MINUTE);
    }
  });

  it("refuses a new upload while the user's jobs of the last minute are at the tier's jobsPerMinute", async () => {
    const { user, project } = await newOwner(repos, 'rateup', 'rate');
    const perMinute = tierLimits(user.subscriptionTier).jobsPerMinute;
    const reserve = (id = randomUUID()) =>
      repos.reservations.create({ id, userId: user.id, projectId: project.id, bytes: 10, ttlSeconds: 900 });
    const landed = randomUUID();
    await reserve(landed);
    await t.db.execute(sql`
      INSERT INTO generation_jobs (project_id, user_id, job_type, prompt, status, error_message, completed_at)
      SELECT ${project.id}::uuid, ${user.id}::uuid, 'TRANSCODE', 'an upload', 'FAILED', 'Cancelled by user.', now()
      FROM generate_series(1, ${perMinute}::int)`);
    const refused = await reserve().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).message).toContain(
      `Your jobs of the last minute are already ${perMinute}, the most your tier allows, and an upload becomes a job`,
    );
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeGreaterThan(10);
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBeLessThanOrEqual(60);
    // Nothing was reserved for it; the upload whose file has landed is still held.
    expect((await repos.reservations.totals(user.id))?.reserved).toBe(10);
    expect(
      await repos.reservations.hold({
        id: landed,
        userId: user.id,
        projectId: project.id,
        bytes: 10,
        ttlSeconds: 60,
      }),
    ).toBe(10);
    await t.db.execute(sql`
      UPDATE generation_jobs SET created_at = now() - interval '61 seconds'
      WHERE id = (SELECT id FROM generation_jobs WHERE user_id = ${user.id}::uuid ORDER BY created_at, id LIMIT 1)`);
    await reserve();
    expect((await repos.reservations.totals(user.id))?.reserved).toBe(20);
  });
});
