/**
 * A month's usage is what the user's jobs used when they ended: deleting the project (and with it the jobs
 * and clips) leaves the month's seconds, outcomes and cost as they were.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { currentMonth, monthlyUsage } from '#shared/usage/usage.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('job usage on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  async function ownerWithJobs() {
    const { jobs } = repos;
    const { user, project } = await newOwner(repos, 'usage', 'p');
    const job = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'x',
      parameters: { model: 'luma-ray2', durationSeconds: 9 },
      concurrentLimit: 5,
    });
    await jobs.markProcessing(job.id);
    // The clip runs 5 s (not the 9 requested) and has an HLS ladder: both must survive its deletion.
    await repos.clips.register({
      userId: user.id,
      projectId: project.id,
      jobId: job.id,
      title: 'c',
      duration: 5,
      fileUrl: `users/${user.id}/projects/${project.id}/clips/x/video.mp4`,
      fileSize: 1000,
      resolution: '1280x720',
      format: 'mp4',
      system: { hasHls: true },
    });
    const cancelled = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'EDIT',
      prompt: 'y',
      parameters: {},
      concurrentLimit: 5,
    });
    await jobs.cancel(user.id, cancelled.id);
    const failed = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'z',
      parameters: { model: 'luma-ray2', durationSeconds: 5 },
      concurrentLimit: 5,
    });
    await jobs.markProcessing(failed.id);
    await jobs.markFailed(failed.id, 'Bedrock refused the prompt.');
    return { user, project };
  }

  it('keeps the month’s seconds, outcomes and cost after the project and its jobs are deleted', async () => {
    const { user, project } = await ownerWithJobs();
    // Recorded as the job completed, in the statement that inserted its clip.
    const recorded = await rawRows<{ resolution: string; has_hls: boolean; seconds: number }>(
      t.db,
      sql`SELECT resolution, has_hls, seconds FROM job_usage WHERE user_id = ${user.id}::uuid AND outcome = 'completed'`,
    );
    expect(recorded).toEqual([{ resolution: '1280x720', has_hls: true, seconds: 5 }]);
    const before = await monthlyUsage(t.db, user.id, currentMonth());
    expect(before.jobs).toEqual({ completed: 1, failed: 1, cancelled: 1 });
    expect(before.generatedSeconds.byModel).toEqual({ 'luma-ray2': 5 });
    // Luma Ray2 at 720p: $1.50 a second.
    expect(before.estimatedCostUsd.bedrock).toBeCloseTo(7.5, 6);

    await repos.projects.remove(user.id, project.id);
    const [left] = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM generation_jobs WHERE user_id = ${user.id}::uuid`,
    );
    expect(left?.n).toBe(0);

    const after = await monthlyUsage(t.db, user.id, currentMonth());
    expect(after.jobs).toEqual(before.jobs);
    expect(after.generatedSeconds).toEqual(before.generatedSeconds);
    expect(after.transcodedMinutes).toBe(before.transcodedMinutes);
    const { s3Storage: _beforeS3, total: _beforeTotal, ...jobCosts } = before.estimatedCostUsd;
    const { s3Storage: _afterS3, total: _afterTotal, ...afterCosts } = after.estimatedCostUsd;
    expect(afterCosts).toEqual(jobCosts);
    expect(after.estimatedCostUsd.mediaConvert).toBeGreaterThan(0);
  });

  it('counts a job once, however often its end is written again, and forgets it with the account', async () => {
    const { user } = await ownerWithJobs();
    await t.db.execute(sql`UPDATE generation_jobs SET status = status, completed_at = completed_at
                           WHERE user_id = ${user.id}::uuid`);
    expect((await monthlyUsage(t.db, user.id, currentMonth())).jobs).toEqual({
      completed: 1,
      failed: 1,
      cancelled: 1,
    });
    await t.db.execute(sql`DELETE FROM users WHERE id = ${user.id}::uuid`);
    const [left] = await rawRows<{ n: number }>(
      t.db,
      sql`SELECT count(*)::int AS n FROM job_usage WHERE user_id = ${user.id}::uuid`,
    );
    expect(left?.n).toBe(0);
  });
});
