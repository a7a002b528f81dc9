/**
 * One owner's jobs all touch the owner's row: a job's creation and its end lock it, its start, progress and
 * completion fan events out under a foreign-key check on it, and clip registration and deletion charge and
 * free its storage. A burst of all of them at once must not deadlock: no statement may be chosen as a
 * deadlock's victim. (A statement that locked a row and then wrote it again, reading the row as its
 * snapshot saw it, queued behind a waiter that was queued behind it.)
 */
import { expect, it } from 'vitest';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, registerJobClip, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('one owner’s job lifecycle at once on', (driver) => {
  const { repos } = suiteDatabase(driver);

  it('creates, starts, reports, completes, fails and deletes clips of 20 jobs at once, 6 times over', async () => {
    const { jobs, clips, webhooks } = repos;
    const { user, project } = await newOwner(repos, 'burst', 'bursts');
    // An endpoint, so every event also inserts a delivery under a foreign-key check on the endpoint.
    await webhooks.create({ userId: user.id, url: 'https://example.com/burst', secret: 'whsec_AAAA' });
    const rounds = driver.realServer ? 6 : 1;
    const JOBS = driver.realServer ? 20 : 4;
    for (let round = 0; round < rounds; round += 1) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: JOBS }, async (_, i) => {
          const job = await jobs.create({
            userId: user.id,
            projectId: project.id,
            jobType: 'GENERATE',
            prompt: `job ${i}`,
            parameters: {},
            concurrentLimit: 1_000,
          });
          await jobs.markProcessing(job.id);
          for (let p = 10; p <= 50; p += 20) await jobs.reportProgress(job.id, p);
          if (i % 4 === 3) {
            await jobs.markFailed(job.id, 'The model refused.');
            return;
          }
          const clip = await registerJobClip(repos, job, `clip ${i}`);
          if (i % 2 === 0) await clips.remove(user.id, clip.id);
        }),
      );
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [causeOf(o.reason)] : []));
      expect(failures).toEqual([]);
    }
    const owner = await repos.users.getById(user.id);
    expect(owner.activeJobs).toBe(0);
  }, 120_000);
});

/** The database's own message (the driver wraps it with the whole query). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return String((cause as Error | undefined)?.message ?? (error as Error).message);
}
