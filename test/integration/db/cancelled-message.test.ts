/**
 * The job-usage trigger (migration 0021) tells a cancelled job from a failed one by its error message, which
 * it writes as a literal: it must be the text the TypeScript side cancels with, or cancellations would be
 * counted as failures.
 */
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { CANCELLED_BY_USER } from '#shared/jobs/status.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('the cancelled-job message on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  it('is the text the job-usage trigger compares error messages with', async () => {
    const [fn] = await rawRows<{ source: string }>(
      t.db,
      sql`SELECT prosrc AS source FROM pg_proc WHERE proname = 'record_job_usage'`,
    );
    const compared = [...(fn?.source ?? '').matchAll(/error_message\s*=\s*'((?:[^']|'')*)'/g)].map((m) =>
      m[1]!.replaceAll("''", "'"),
    );
    expect(compared).toEqual([CANCELLED_BY_USER]);
  });

  it('makes a cancelled job count as cancelled, and another failure as failed', async () => {
    const { user, project } = await newOwner(repos, 'cancelmsg');
    const submit = () =>
      repos.jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'a fox',
        parameters: { model: 'local', durationSeconds: 6 },
        concurrentLimit: 5,
      });
    const cancelled = await submit();
    const failed = await submit();
    await repos.jobs.cancel(user.id, cancelled.id);
    await repos.jobs.markFailed(failed.id, 'The model failed.');
    const rows = await rawRows<{ job_id: string; outcome: string }>(
      t.db,
      sql`SELECT job_id::text, outcome FROM job_usage WHERE user_id = ${user.id}::uuid`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.job_id, r.outcome]))).toEqual({
      [cancelled.id]: 'cancelled',
      [failed.id]: 'failed',
    });
  });
});
