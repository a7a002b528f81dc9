import { expect, it } from 'vitest';
import { createDeliverer, createDispatcher } from '#shared/webhooks/dispatcher.ts';
import type { AttemptReport } from '#shared/webhooks/outcomes.ts';
import { newWebhookSecret } from '#shared/webhooks/signing.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, type Repositories, registerJobClip, suiteDatabase } from '#test/support/repositories.ts';
import { startReceiver } from '#test/support/webhook-receiver.ts';

/** Each job: created, started, progress 10…90, completed. */
const EVENTS_PER_JOB = 12;
// Short waits so that 16 attempts fit in seconds; a delivery fails 16 times running with p = 0.35^16.
const FAST_RETRIES = Array.from({ length: 15 }, (_, i) => Math.min(20 * 2 ** i, 250));

describeEachDriver('webhook delivery on', (driver) => {
  const { repos } = suiteDatabase(driver);

  // 20 jobs on a real server: 480 deliveries (some 700 attempts with their retries) are still several times
  // the 64 attempts in flight and the 32 per endpoint, so claims stay full and retries mix with first
  // attempts as they did with 50 jobs, in under half the time. PGlite runs every statement on this thread,
  // so 5 there.
  const JOBS = driver.realServer ? 20 : 5;
  it(`delivers every event of ${JOBS} jobs to two endpoints through a receiver failing 30 % and hanging 5 %`, async () => {
    const { jobs, webhooks, deliveries: queue } = repos;
    const { user, project } = await newOwner(repos, 'wh', 'webhooks');

    const secrets = { '/one': newWebhookSecret(), '/two': newWebhookSecret() };
    const receiver = await startReceiver({ secrets, failRate: 0.3, hangRate: 0.05, seed: 14 });
    const endpoints = await Promise.all(
      Object.entries(secrets).map(([path, secret]) =>
        webhooks.create({ userId: user.id, url: `${receiver.url}${path}`, secret }),
      ),
    );
    const reports: AttemptReport[] = [];
    const deliverer = createDeliverer(queue, {
      policy: 'local',
      timeoutMs: 1_000,
      retryDelaysMs: FAST_RETRIES,
      onOutcome: (r) => reports.push(r),
    });
    const dispatcher = createDispatcher(queue, deliverer, { pollMs: 20, maxInFlight: 64, perEndpoint: 32 });
    dispatcher.start();
    const expected = JOBS * EVENTS_PER_JOB;
    try {
      await Promise.all(
        Array.from({ length: JOBS }, async (_, i) => {
          const job = await jobs.create({
            userId: user.id,
            projectId: project.id,
            jobType: 'GENERATE',
            prompt: `job ${i}`,
            parameters: {},
            concurrentLimit: JOBS,
          });
          await jobs.markProcessing(job.id);
          for (let p = 10; p <= 90; p += 10) await jobs.reportProgress(job.id, p);
          await registerJobClip(repos, job, `clip ${i}`);
        }),
      );
      const deadline = Date.now() + 150_000;
      while (reports.filter((r) => r.outcome !== 'retrying').length < expected * 2) {
        if (Date.now() > deadline) throw new Error('deliveries did not all end');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }

    expect(receiver.received.filter((r) => r.answer === 400)).toEqual([]);
    for (const [i, path] of Object.keys(secrets).entries()) {
      const deliveries = await allDeliveries(webhooks, user.id, endpoints[i]?.id as string);
      expect(deliveries.length).toBe(expected);
      expect(deliveries.filter((d) => d.status !== 'succeeded')).toEqual([]);
      expect(deliveries.some((d) => d.attempts > 1)).toBe(true);
      const bodiesById = new Map<string, Set<string>>();
      for (const r of receiver.received.filter((x) => x.path === path)) {
        bodiesById.set(r.id, (bodiesById.get(r.id) ?? new Set()).add(r.body as string));
      }
      // Every event arrived (verified); a repeat after a 500 or a hang has the same id and the same body.
      expect(bodiesById.size).toBe(expected);
      expect([...bodiesById.values()].every((bodies) => bodies.size === 1)).toBe(true);
      const events = [...bodiesById.entries()].map(([id, b]) => ({ id, ...JSON.parse([...b][0] as string) }));
      // The webhook-id header is the envelope's id.
      expect(
        events.every((e) => e.id === JSON.parse([...(bodiesById.get(e.id) ?? [])][0] as string).id),
      ).toBe(true);
      expect(events.filter((e) => e.type === 'job.progress').length).toBe(JOBS * 10);
      expect(events.filter((e) => e.type === 'job.completed' && e.data.clip).length).toBe(JOBS);
    }
    const answers = receiver.received.map((r) => r.answer);
    expect(answers.filter((a) => a === 500).length).toBeGreaterThan(expected * 2 * 0.2);
    expect(answers.filter((a) => a === 'hang').length).toBeGreaterThan(expected * 2 * 0.02);
    expect(reports.filter((r) => r.outcome === 'succeeded').length).toBe(expected * 2);
    expect(reports.filter((r) => r.outcome === 'failed')).toEqual([]);
  }, 240_000);
});

async function allDeliveries(webhooks: Repositories['webhooks'], userId: string, endpointId: string) {
  const out = [];
  let cursor: string | null = null;
  do {
    const page = await webhooks.deliveries(userId, endpointId, { limit: 100, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
