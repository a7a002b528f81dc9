import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createDeliverer } from '#shared/webhooks/dispatcher.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';

// Port 9 on loopback refuses connections at once: every attempt fails.
const DEAD = 'http://127.0.0.1:9/hook';

describeEachDriver('delivery policy on', (driver) => {
  const { t, repos } = suiteDatabase(driver);

  async function setup(events: number) {
    const { webhooks, jobs, deliveries } = repos;
    const { user, project } = await newOwner(repos, 'pol', 'policy');
    const endpoint = await webhooks.create({ userId: user.id, url: DEAD, secret: 'whsec_AAAA' });
    for (let i = 0; i < events; i += 1) {
      await jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 10,
      });
    }
    return { user, endpoint, webhooks, queue: deliveries };
  }

  it('retries on schedule, then ends the delivery failed with what went wrong', async () => {
    const { user, endpoint, webhooks, queue } = await setup(1);
    const deliverer = createDeliverer(queue, { policy: 'local', retryDelaysMs: [0], timeoutMs: 2_000 });
    const first = await queue.claim({ limit: 10, perEndpoint: 10, perOwner: 1_000, leaseMs: 5_000 });
    expect(first).toHaveLength(1);
    expect((await deliverer.deliver(first[0] as never))?.outcome).toBe('retrying');
    const second = await queue.claim({ limit: 10, perEndpoint: 10, perOwner: 1_000, leaseMs: 5_000 });
    expect(second.map((d) => d.attempt)).toEqual([2]);
    expect((await deliverer.deliver(second[0] as never))?.outcome).toBe('failed');
    const [log] = (await webhooks.deliveries(user.id, endpoint.id)).items;
    expect(log).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: null });
    expect(log?.lastError).toMatch(/ECONNREFUSED|refused/);
    expect(await queue.claim({ limit: 10, perEndpoint: 10, perOwner: 1_000, leaseMs: 5_000 })).toEqual([]);
  });

  it('disables an endpoint that has failed for 5 days and ends its pending deliveries', async () => {
    const { user, endpoint, webhooks, queue } = await setup(3);
    await t.db.execute(
      sql`UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = ${endpoint.id}::uuid`,
    );
    const deliverer = createDeliverer(queue, { policy: 'local', timeoutMs: 2_000 });
    const [one] = await queue.claim({ limit: 1, perEndpoint: 10, perOwner: 1_000, leaseMs: 5_000 });
    const report = await deliverer.deliver(one as never);
    expect(report).toMatchObject({ outcome: 'failed', endpointDisabled: true });
    const after = await webhooks.get(user.id, endpoint.id);
    expect(after).toMatchObject({ enabled: false });
    expect(after.disabledReason).toMatch(/5 days/);
    const statuses = (await webhooks.deliveries(user.id, endpoint.id)).items.map((d) => d.status);
    expect(statuses).toEqual(['failed', 'failed', 'failed']);
    // Enabling it again starts a new run of failures from zero.
    const enabled = await webhooks.update(user.id, endpoint.id, { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it('caps the attempts one endpoint has in flight, so it cannot take every sender slot', async () => {
    const { queue } = await setup(5);
    const first = await queue.claim({ limit: 10, perEndpoint: 2, perOwner: 1_000, leaseMs: 60_000 });
    expect(first).toHaveLength(2);
    // Those two are still in flight: the endpoint gets nothing more until they end.
    expect(await queue.claim({ limit: 10, perEndpoint: 2, perOwner: 1_000, leaseMs: 60_000 })).toEqual([]);
  });

  it('a retry asked while an attempt is under way leaves it to that attempt; a scheduled one it brings forward', async () => {
    const { user, endpoint, webhooks, queue } = await setup(1);
    const claimMine = async () =>
      (await queue.claim({ limit: 1_000, perEndpoint: 10, perOwner: 1_000, leaseMs: 60_000 })).filter(
        (d) => d.endpointId === endpoint.id,
      );
    const [claimed] = await claimMine();
    expect(claimed).toBeDefined();
    await webhooks.retry(user.id, endpoint.id, claimed!.id);
    // A second attempt now would run beside the first: the same event sent twice at once.
    expect(await claimMine()).toEqual([]);

    const deliverer = createDeliverer(queue, {
      policy: 'local',
      retryDelaysMs: [3_600_000],
      timeoutMs: 2_000,
    });
    expect((await deliverer.deliver(claimed as never))?.outcome).toBe('retrying');
    expect(await claimMine()).toEqual([]);
    await webhooks.retry(user.id, endpoint.id, claimed!.id);
    expect((await claimMine()).map((d) => [d.id, d.attempt])).toEqual([[claimed!.id, 2]]);
  });

  it('caps the attempts one account has in flight over all its endpoints, so a few slow ones cannot take every sender slot', async () => {
    const { user, project } = await newOwner(repos, 'own', 'owner share');
    const endpoints: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      endpoints.push(
        (await repos.webhooks.create({ userId: user.id, url: `${DEAD}${i}`, secret: 'whsec_AAAA' })).id,
      );
    }
    for (let i = 0; i < 2; i += 1) {
      await repos.jobs.create({
        userId: user.id,
        projectId: project.id,
        jobType: 'GENERATE',
        prompt: 'x',
        parameters: {},
        concurrentLimit: 10,
      });
    }
    // Two events to three endpoints: six deliveries due, two per endpoint, each endpoint under its share.
    const claimMine = async () =>
      (await repos.deliveries.claim({ limit: 1_000, perEndpoint: 10, perOwner: 4, leaseMs: 60_000 })).filter(
        (d) => endpoints.includes(d.endpointId),
      );
    expect(await claimMine()).toHaveLength(4);
    // Those four are in flight: the account gets nothing more until they end, whichever endpoint.
    expect(await claimMine()).toEqual([]);
  });

  it('anyDue says whether a claim can find work: true with a due delivery, false once every one is leased', async () => {
    const { queue } = await setup(2);
    expect(await queue.anyDue()).toBe(true);
    // Claims everything due in this database (every endpoint here is enabled by the end of each test).
    const claimed = await queue.claim({ limit: 1_000, perEndpoint: 1_000, perOwner: 1_000, leaseMs: 60_000 });
    expect(claimed.length).toBeGreaterThanOrEqual(2);
    expect(await queue.anyDue()).toBe(false);
  });
});
