/**
 * DynamoDB calls per job on the create-and-cancel path, counted on the local DynamoDB's client through the
 * real admission and store: each job enters the line (its AcquireCapacity task) and its execution is gone
 * at once (cancelled: its token answers nothing), then it leaves (MarkFailed's release). Bursts of jobs
 * arriving together make their tasks serve the line at the same time.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '#infra/local/dynamo.ts';
import { countDynamoCalls } from '#infra/local/dynamo-calls.ts';
import { createAdmission } from '#shared/capacity/admission.ts';
import { dynamoCapacityStore } from '#shared/capacity/dynamodb-store.ts';

let dynamo: LocalDynamo;
let calls: Map<string, number>;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  calls = countDynamoCalls(dynamo.client);
});
afterAll(async () => {
  await dynamo?.stop();
});

let models = 0;
const total = () => [...calls.values()].reduce((sum, n) => sum + n, 0);

/** Jobs of `users` users in bursts of `burst` against `capacity` units; returns calls per job and units left. */
async function createAndCancel(capacity: number, burst: number, bursts: number) {
  const model = `calls${++models}`;
  const store = dynamoCapacityStore(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.capacity);
  const admission = createAdmission({
    store,
    // Every execution is stopped as soon as it is created: no waiting state takes a unit.
    tokens: { succeed: async () => false, waiting: async () => false },
    capacityOf: () => capacity,
    leaseMsOf: () => 60_000,
  });
  const before = total();
  let jobs = 0;
  for (let b = 0; b < bursts; b++) {
    await Promise.all(
      Array.from({ length: burst }, async (_, i) => {
        const jobId = `job-${b}-${i}`;
        jobs++;
        await admission.enter({
          model,
          jobId,
          userId: `user-${i}`,
          enqueuedAt: b * 100 + i,
          taskToken: `t-${jobId}`,
        });
        await admission.release(model, jobId);
      }),
    );
  }

  return {
    perJob: (total() - before) / jobs,
    left: { inUse: await store.inUse(model), waiting: (await store.waiters(model)).length },
  };
}

describe('DynamoDB calls per cancelled job', () => {
  it('one job at a time on a free unit: a handful of calls, nothing left held or waiting', async () => {
    const { perJob, left } = await createAndCancel(2, 1, 10);
    expect(left).toEqual({ inUse: 0, waiting: 0 });
    // 11 a job when the take-back read the units again.
    expect(perJob).toBeLessThanOrEqual(10);
  });

  it('bursts of 10 against 2 units: tasks do not all serve the whole line', async () => {
    const { perJob, left } = await createAndCancel(2, 10, 5);
    expect(left).toEqual({ inUse: 0, waiting: 0 });
    // 18 a job when every task served the whole line.
    expect(perJob).toBeLessThanOrEqual(13);
  });
});
