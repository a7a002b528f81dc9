import { expect, it } from 'vitest';
import { TooManyRequestsError } from '#shared/errors.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

describeEachDriver('concurrent-job limit on', (driver) => {
  const { repos } = suiteDatabase(driver);

  it('accepts exactly the limit out of 50 parallel submissions, 20 times over', async () => {
    const limit = tierLimits('FREE').concurrentJobs;
    expect(limit).toBe(2);
    for (let round = 0; round < 20; round += 1) {
      const { user: u, project: p } = await newOwner(repos, 'race', 'race');
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () =>
          repos.jobs.create({
            userId: u.id,
            projectId: p.id,
            jobType: 'GENERATE',
            prompt: 'x',
            parameters: {},
            concurrentLimit: limit,
          }),
        ),
      );
      const accepted = results.filter((r) => r.status === 'fulfilled');
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(TooManyRequestsError);
      }
      expect(accepted.length, `round ${round}`).toBe(limit);
      const active = (await repos.jobs.list(u.id, p.id)).items.filter((j) => j.status === 'QUEUED');
      expect(active.length).toBe(limit);
      // Ending jobs (failure, cancel) race with 20 new submissions: the slots they free are taken once.
      const [first, second] = accepted.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id);
      const next = await Promise.allSettled([
        repos.jobs.markFailed(first!, 'done'),
        repos.jobs.cancel(u.id, second!),
        ...Array.from({ length: 20 }, () =>
          repos.jobs.create({
            userId: u.id,
            projectId: p.id,
            jobType: 'GENERATE',
            prompt: 'y',
            parameters: {},
            concurrentLimit: limit,
          }),
        ),
      ]);
      expect(next.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(2 + limit);
      const queued = (await repos.jobs.list(u.id, p.id)).items.filter((j) => j.status === 'QUEUED');
      expect(queued.length).toBeLessThanOrEqual(limit);
      expect((await repos.users.getById(u.id)).activeJobs).toBe(queued.length);
    }
  });
});
