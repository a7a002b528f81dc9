/**
 * The webhook relay and the stuck-start sweep rest on the idle marker (shared/events/idle-marker.ts): on an
 * idle stage a scheduled tick is one DynamoDB read and no SQL statement at all, while an event with a
 * delivery, a webhook test send, a retry coming due and a lost start are each still handled. The marker is
 * the DynamoDB one, on dynalite; the clock of the marker is moved, Aurora's is real.
 */

import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { rawRows } from '#shared/db/sql.ts';
import { WAKE_SETTLE_MS, wakingBefore } from '#shared/events/idle-marker.ts';
import { dynamoIdleMarker } from '#shared/events/idle-marker-dynamodb.ts';
import {
  createStuckStartSweep,
  restingStuckStartSweep,
  STUCK_START_AFTER_MS,
} from '#shared/pipeline/stuck-starts.ts';
import { type DeliveryMessage, relayRun } from '#shared/webhooks/relay.ts';
import type { JobExecutionInput } from '#shared/workflow/port.ts';
import { describeEachDriver } from '#test/support/db-drivers.ts';
import { newOwner, suiteDatabase } from '#test/support/repositories.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

const WINDOW_MS = 60_000;

it('refuses a rest when anything woke the marker after the sleeper read it', async () => {
  let clock = Date.now();
  const documents = DynamoDBDocumentClient.from(dynamo.client);
  const marker = dynamoIdleMarker(documents, dynamo.tables.rateLimit, () => clock);
  await marker.wake();
  clock += WAKE_SETTLE_MS + 1_000;
  const seen = await marker.read();
  await marker.wake();
  expect(await marker.restRelay(seen, Number.POSITIVE_INFINITY)).toBe(false);
  expect(await marker.restSweep(seen)).toBe(false);
  expect(await marker.read()).toMatchObject({ relayUntil: undefined, sweepResting: false });
  clock += WAKE_SETTLE_MS + 1_000;
  const later = await marker.read();
  expect(await marker.restRelay(later, Number.POSITIVE_INFINITY)).toBe(true);
  expect(await marker.restSweep(await marker.read())).toBe(true);
  expect(await marker.read()).toMatchObject({ relayUntil: Number.POSITIVE_INFINITY, sweepResting: true });
});

describeEachDriver('resting while idle on', (driver) => {
  const { t, repos } = suiteDatabase(driver);
  let clock = Date.now();
  let dynamoCalls: string[] = [];

  function markerOf() {
    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const send = documents.send.bind(documents);
    // Every DynamoDB call the marker makes, by command.
    documents.send = ((command: { constructor: { name: string } }) => {
      dynamoCalls.push(command.constructor.name);
      return send(command as never);
    }) as typeof documents.send;
    return dynamoIdleMarker(documents, dynamo.tables.rateLimit, () => clock);
  }

  beforeEach(async () => {
    await DynamoDBDocumentClient.from(dynamo.client).send(
      new DeleteCommand({ TableName: dynamo.tables.rateLimit, Key: { pk: 'idle-marker' } }),
    );
    // Nothing left running or pending from an earlier test.
    await t.db.execute(
      sql`UPDATE generation_jobs SET status = 'FAILED' WHERE status IN ('QUEUED', 'PROCESSING')`,
    );
    await t.db.execute(sql`UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'pending'`);
    clock = Date.now();
    dynamoCalls = [];
  });

  /** A relay whose every run polls `polls` times. */
  function relay(polls = 1) {
    const queued: DeliveryMessage[] = [];
    let left = 0;
    const run = () => {
      left = polls;
      return relayRun({
        marker: markerOf(),
        queue: repos.deliveries,
        outbox: repos.outbox,
        sink: async (messages) => {
          queued.push(...messages);
        },
        leaseMs: 60_000,
        perEndpoint: 10,
        perOwner: 50,
        windowMs: WINDOW_MS,
        keepPolling: () => left-- > 0,
        pause: async () => {},
        now: () => clock,
      });
    };
    return { run, queued };
  }

  /** A tick of an idle stage: counted from here. */
  function count() {
    t.counter.reset();
    dynamoCalls = [];
  }

  it('makes no SQL statement and one DynamoDB read per relay tick once idle', async () => {
    const { run } = relay();
    await expect(run()).resolves.toMatchObject({ resting: true });
    clock += 60_000;
    count();
    await expect(run()).resolves.toEqual({ resting: true, queued: 0, pruned: 0 });
    expect(t.counter.count).toBe(0);
    expect(dynamoCalls).toEqual(['GetCommand']);
  });

  it('queues the delivery of an event written after a wake, and rests again only once nothing runs', async () => {
    const { user, project } = await newOwner(repos, 'idlejob');
    await repos.webhooks.create({ userId: user.id, url: 'https://example.com/h', secret: 'whsec_x' });
    const { run, queued } = relay(1);
    await run();
    clock += 60_000;
    const jobs = wakingBefore(markerOf(), repos.jobs, ['create']);
    const job = await jobs.create({
      userId: user.id,
      projectId: project.id,
      jobType: 'GENERATE',
      prompt: 'a lighthouse in fog',
      parameters: { model: 'local', durationSeconds: 2, resolution: '640x360' },
      concurrentLimit: 10,
    });
    clock += 1_000;
    await expect(run()).resolves.toMatchObject({ resting: false, queued: 1 });
    expect(queued).toHaveLength(1);
    // The job runs (it may write more events), so the relay keeps looking even past the wake's settling.
    clock += WAKE_SETTLE_MS + 1_000;
    await expect(run()).resolves.toMatchObject({ resting: false });
    await t.db.execute(sql`UPDATE generation_jobs SET status = 'FAILED' WHERE id = ${job.id}::uuid`);
    await t.db.execute(sql`UPDATE webhook_deliveries SET status = 'succeeded' WHERE status = 'pending'`);
    await expect(run()).resolves.toMatchObject({ resting: true });
  });

  it('does not rest within the settling time of a wake, even with nothing to see yet', async () => {
    const { run } = relay(0);
    await markerOf().wake();
    clock += WAKE_SETTLE_MS - 1_000;
    await expect(run()).resolves.toMatchObject({ resting: false });
    clock += 2_000;
    await expect(run()).resolves.toMatchObject({ resting: true });
  });

  it('queues a webhook test send', async () => {
    const { user } = await newOwner(repos, 'idletest');
    const endpoint = await repos.webhooks.create({
      userId: user.id,
      url: 'https://example.com/t',
      secret: 'whsec_x',
    });
    const { run, queued } = relay(1);
    await expect(run()).resolves.toMatchObject({ resting: true });
    clock += 60_000;
    await wakingBefore(markerOf(), repos.webhooks, ['sendTest']).sendTest(user.id, endpoint.id);
    clock += 1_000;
    await expect(run()).resolves.toMatchObject({ resting: false, queued: 1 });
    expect(queued).toHaveLength(1);
  });

  it('sleeps until a retry is due, and queues it within a minute of its time', async () => {
    const { user } = await newOwner(repos, 'idleretry');
    const endpoint = await repos.webhooks.create({
      userId: user.id,
      url: 'https://example.com/r',
      secret: 'whsec_x',
    });
    await repos.webhooks.sendTest(user.id, endpoint.id);
    // The first attempt failed; the next is due in ten minutes.
    await t.db.execute(
      sql`UPDATE webhook_deliveries SET attempts = 1, next_attempt_at = now() + interval '10 minutes'
          WHERE endpoint_id = ${endpoint.id}::uuid`,
    );
    const [due] = await rawRows<{ at: string }>(
      t.db,
      sql`SELECT to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
          FROM webhook_deliveries WHERE endpoint_id = ${endpoint.id}::uuid`,
    );
    const dueAt = new Date(due!.at).getTime();
    const { run, queued } = relay(1);
    clock = Date.now();
    await expect(run()).resolves.toMatchObject({ resting: true });
    clock = dueAt - 5 * 60_000;
    count();
    await expect(run()).resolves.toMatchObject({ resting: true });
    expect(t.counter.count).toBe(0);
    // Its time comes (the database's clock is moved by moving the delivery).
    clock = dueAt - 30_000;
    await t.db.execute(
      sql`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = ${endpoint.id}::uuid`,
    );
    await expect(run()).resolves.toMatchObject({ resting: false, queued: 1 });
    expect(queued).toEqual([expect.objectContaining({ attempt: 2 })]);
  });

  it('queues a retry asked for through the API', async () => {
    const { user } = await newOwner(repos, 'idleredo');
    const endpoint = await repos.webhooks.create({
      userId: user.id,
      url: 'https://example.com/x',
      secret: 'whsec_x',
    });
    const deliveryId = await repos.webhooks.sendTest(user.id, endpoint.id);
    await t.db.execute(
      sql`UPDATE webhook_deliveries SET status = 'failed', attempts = 1 WHERE id = ${deliveryId}::uuid`,
    );
    const { run, queued } = relay(1);
    await expect(run()).resolves.toMatchObject({ resting: true });
    clock += 60_000;
    await wakingBefore(markerOf(), repos.webhooks, ['retry']).retry(user.id, endpoint.id, deliveryId);
    await expect(run()).resolves.toMatchObject({ resting: false, queued: 1 });
    expect(queued).toHaveLength(1);
  });

  it('rests past the deliveries of a disabled endpoint, and queues them once it is enabled again', async () => {
    const { user } = await newOwner(repos, 'idleoff');
    const endpoint = await repos.webhooks.create({
      userId: user.id,
      url: 'https://example.com/o',
      secret: 'whsec_x',
    });
    await repos.webhooks.sendTest(user.id, endpoint.id);
    await repos.webhooks.update(user.id, endpoint.id, { enabled: false });
    const { run, queued } = relay(1);
    await expect(run()).resolves.toMatchObject({ resting: true, queued: 0 });
    clock += 60_000;
    await wakingBefore(markerOf(), repos.webhooks, ['update']).update(user.id, endpoint.id, {
      enabled: true,
    });
    await expect(run()).resolves.toMatchObject({ resting: false, queued: 1 });
    expect(queued).toHaveLength(1);
  });

  it('rests the stuck-start sweep while no job is QUEUED, and still starts a lost start after a submission', async () => {
    const started: JobExecutionInput[] = [];
    const sweep = () =>
      restingStuckStartSweep(
        markerOf(),
        repos.jobs,
        createStuckStartSweep({
          jobs: repos.jobs,
          workflow: {
            start: async (input) => {
              started.push(input);
              return 'started';
            },
            executionState: async () => 'none',
          },
          tasks: { markFailed: async () => {} },
          startWaiting: async () => [],
          now: () => Date.now() + STUCK_START_AFTER_MS + 1_000,
        }),
      )();
    const none = { started: [], failed: [], overran: [] };
    await expect(sweep()).resolves.toEqual(none);
    clock += 60_000;
    count();
    await expect(sweep()).resolves.toEqual(none);
    expect(t.counter.count).toBe(0);
    expect(dynamoCalls).toEqual(['GetCommand']);
    // A submission whose start is lost (nothing starts it here).
    const { user, project } = await newOwner(repos, 'idlelost');
    const job = await wakingBefore(markerOf(), repos.jobs, ['create']).create({
      userId: user.id,
      projectId: project.id,
      jobType: 'EDIT',
      prompt: 'trim it',
      parameters: {},
      concurrentLimit: 10,
    });
    await expect(sweep()).resolves.toEqual({ started: [job.id], failed: [], overran: [] });
    expect(started.map((s) => s.jobId)).toEqual([job.id]);
  });

  it('asks whether any job runs through a partial index of the active jobs, never a table scan', async () => {
    const plans = await t.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const plan = async (query: ReturnType<typeof sql>) =>
        (await rawRows<{ 'QUERY PLAN': string }>(tx, sql`EXPLAIN ${query}`))
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      return [
        await plan(
          sql`SELECT EXISTS (SELECT 1 FROM generation_jobs WHERE status IN ('QUEUED', 'PROCESSING'))`,
        ),
        await plan(sql`SELECT id FROM generation_jobs WHERE status = 'QUEUED' LIMIT 1`),
        // The sweep's PROCESSING candidates past the execution timeout, a page of them.
        await plan(
          sql`SELECT id FROM generation_jobs WHERE status = 'PROCESSING' AND started_at < now() ORDER BY started_at, id LIMIT 100`,
        ),
      ];
    });
    for (const plan of plans.slice(0, 2)) expect(plan).toContain('generation_jobs_active_idx');
    expect(plans[2]).toContain('generation_jobs_processing_started_idx');
  });
});
