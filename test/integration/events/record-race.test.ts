/**
 * Attempts of one endpoint end at once: successes clear its run of failures, failures start one, while new
 * events of the same owner fan out to it and claims lease more. Every outcome must be recorded by its own
 * statement; none may be chosen as a deadlock's victim (its delivery would wait out its lease and be sent
 * again).
 */
import { expect, it } from 'vitest';
import type { ClaimedDelivery } from '#shared/webhooks/deliveries.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

const policy = { retryAfterMs: 10, disableAfterMs: 5 * 24 * 3_600_000 };

describeEachDriver('recording webhook outcomes at once on', (driver) => {
  const { repos } = suiteDatabase(driver);

  it('records every success and failure of one endpoint while its owner’s events fan out', async () => {
    const { jobs, webhooks, deliveries: queue } = repos;
    const { user, project } = await newOwner(repos, 'rec', 'records');
    await webhooks.create({ userId: user.id, url: 'https://example.com/a', secret: 'whsec_AAAA' });
    const newJob = () =>
      jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 1_000,
      });
    const rounds = driver.realServer ? 20 : 2;
    const errors: unknown[] = [];
    let recorded = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < 20; i += 1) await newJob();
      // A short lease lets the next claim take the same deliveries again, as when an attempt outlives it.
      const claimed: ClaimedDelivery[] = [];
      for (let c = 0; c < 3; c += 1) {
        claimed.push(...(await queue.claim({ limit: 100, perEndpoint: 100, perOwner: 100, leaseMs: 1 })));
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(claimed.length).toBeGreaterThan(0);
      await Promise.all([
        ...claimed.map(async (delivery, i) => {
          const result =
            i % 3 === 0
              ? { latencyMs: 1, statusCode: 500, error: 'HTTP 500' }
              : { latencyMs: 1, statusCode: 200 };
          try {
            if (await queue.record(delivery, result, policy)) recorded += 1;
          } catch (error) {
            errors.push(error);
          }
        }),
        ...Array.from({ length: 5 }, () => newJob().then((job) => jobs.markProcessing(job.id))),
      ]);
    }
    expect(errors.map((e) => (e as Error).message)).toEqual([]);
    expect(recorded).toBeGreaterThan(0);
  }, 120_000);
});
