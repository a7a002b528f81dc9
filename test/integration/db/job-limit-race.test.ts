/**
 * The tier's concurrent-job limit under races: 50 parallel submissions by a FREE user (limit 2), 20 times,
 * on every driver (the property only bites on a real PostgreSQL server, where statements interleave).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TooManyRequestsError } from '#shared/errors.ts';
import { tierLimits } from '#shared/users/tiers.ts';
import { describeEachDriver, type TestDatabase } from '#test/support/db-drivers.ts';
import { type Repositories, repositoriesFor } from '#test/support/repositories.ts';

describeEachDriver('concurrent-job limit on', (driver) => {
  let t: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    t = await driver.open();
    repos = repositoriesFor(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts exactly the limit out of 50 parallel submissions, 20 times over', async () => {
    const limit = tierLimits('FREE').concurrentJobs;
    expect(limit).toBe(2);
    for (let round = 0; round < 20; round += 1) {
      const tag = randomUUID().slice(0, 8);
      const u = await repos.users.create({ email: `r${tag}@example.com`, username: `race_${tag}` });
      const p = await repos.projects.create(u.id, { title: 'race' });
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
