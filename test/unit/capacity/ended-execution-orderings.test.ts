/**
 * An execution that ended while attempts of its AcquireCapacity task were still running: whatever the
 * order in which those late attempts, the release of another job's unit, a newcomer and the
 * ended-execution handler's release meet, the ended job is left holding no unit nor a place in line, and
 * the unit goes on.
 * fast-check's scheduler picks the order, one step at a time (a store operation, or a DynamoDB call).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admitted, createAdmission } from '#shared/capacity/admission.ts';
import { dynamoCapacityStore } from '#shared/capacity/dynamodb-store.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import type { CapacityStore, Waiter } from '#shared/capacity/store.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

/** Every call of `fn` waits for its turn before it runs. */
const inTurn =
  <A extends unknown[], R>(s: fc.Scheduler, fn: (...args: A) => Promise<R>) =>
  async (...args: A) => {
    await s.schedule(Promise.resolve());
    return fn(...args);
  };

/** A store whose operations each wait for their turn (each is atomic in memory). */
function memoryInTurn(s: fc.Scheduler): CapacityStore {
  const store = memoryCapacityStore() as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(store))
    if (typeof value === 'function') store[name] = inTurn(s, value as (...a: unknown[]) => Promise<unknown>);
  return store as unknown as CapacityStore;
}

/** A store whose DynamoDB calls each wait for their turn. */
function dynamoInTurn(s: fc.Scheduler): CapacityStore {
  const client = DynamoDBDocumentClient.from(dynamo.client);
  client.send = inTurn(s, client.send.bind(client) as (c: unknown) => Promise<unknown>) as typeof client.send;
  return dynamoCapacityStore(client, dynamo.tables.capacity);
}

let models = 0;

describe.each([
  ['memory', memoryInTurn, 300],
  ['dynamodb', dynamoInTurn, 30],
] as const)('an ended execution over the %s store', (_name, storeInTurn, numRuns) => {
  it('keeps no unit nor a place in line, in any order of its late attempts, a release, a newcomer and its own end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const model = `ended${++models}`;
        const store = storeInTurn(s);
        const live = new Set(['a-1', 'next-1']);
        const answered = new Set<string>();
        const admission = createAdmission({
          store,
          tokens: {
            succeed: inTurn(s, async (token: string, _output: Admitted) => {
              if (!live.delete(token)) return false;
              answered.add(token);
              return true;
            }),
            waiting: inTurn(s, async (token: string) => live.has(token)),
          },
          capacityOf: () => 1,
          leaseMsOf: () => 60_000,
        });
        const job = (jobId: string, userId: string, taskToken: string, enqueuedAt: number): Waiter => ({
          model,
          jobId,
          userId,
          taskToken,
          enqueuedAt,
        });
        // a holds the model's one unit; j (its execution stopped, both its attempts' tokens dead) came
        // before next, of the same user, so j is first in line whenever its record is there.
        await s.waitFor(admission.enter(job('a', 'x', 'a-1', 1)));
        await s.waitFor(
          Promise.all([
            admission.enter(job('j', 'u', 'j-1', 2)),
            admission.enter(job('j', 'u', 'j-2', 2)),
            admission.release(model, 'j'),
            admission.enter(job('next', 'u', 'next-1', 3)),
            admission.release(model, 'a'),
          ]),
        );
        const holders = (await s.waitFor(store.leases(model))).map((l) => l.jobId);
        expect(holders).toEqual(['next']);
        expect(answered).toContain('next-1');
        // Nor is it left in line, whichever came first: its end or its attempts.
        expect(await s.waitFor(store.waiters(model))).toEqual([]);
      }),
      { numRuns },
    );
  });
});
