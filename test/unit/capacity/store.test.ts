import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoCapacityStore } from '#shared/capacity/dynamodb-store.ts';
import { memoryCapacityStore } from '#shared/capacity/memory-store.ts';
import type { CapacityStore, GrantResult, Waiter } from '#shared/capacity/store.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

let modelCounter = 0;
const waiter = (
  model: string,
  jobId: string,
  token = `t-${jobId}`,
  userId = 'u1',
  enqueuedAt = 1,
): Waiter => ({
  model,
  jobId,
  userId,
  enqueuedAt,
  taskToken: token,
});

/** Why a grant gave no unit, whether or not it put the waiter back in line on the way. */
const refusal = (result: GrantResult) =>
  typeof result === 'object' && 'putBack' in result ? result.refused : result;

const impls: [string, () => CapacityStore][] = [
  ['memory', () => memoryCapacityStore()],
  ['dynamodb', () => dynamoCapacityStore(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.capacity)],
];

describe.each(impls)('%s capacity store', (_name, make) => {
  // Each test uses its own model, so the DynamoDB ones share a table without meeting.
  const fresh = () => ({ store: make(), model: `m${++modelCounter}` });

  it('grants up to the capacity, then reports full', async () => {
    const { store, model } = fresh();
    for (const id of ['a', 'b', 'c']) await store.addWaiter(waiter(model, id));
    expect(await store.grant(waiter(model, 'a'), 2, 1000, 0)).toMatchObject({
      taskToken: expect.any(String),
    });
    expect(await store.grant(waiter(model, 'b'), 2, 1000, 0)).toMatchObject({
      taskToken: expect.any(String),
    });
    expect(await store.grant(waiter(model, 'c'), 2, 1000, 0)).toBe('full');
    expect(await store.inUse(model)).toBe(2);
    expect((await store.waiters(model)).map((w) => w.jobId)).toEqual(['c']);
    expect((await store.lease(model, 'a'))?.taskToken).toBe('t-a');
  });

  it('grants to the newest token of a waiter, and nothing to one that holds a unit already', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a', 'new'));
    expect(await store.grant(waiter(model, 'a', 'old'), 5, 1000, 0)).toMatchObject({ taskToken: 'new' });
    expect((await store.lease(model, 'a'))?.taskToken).toBe('new');
    await store.addWaiter(waiter(model, 'a', 'newer'));
    expect(await store.grant(waiter(model, 'a', 'newer'), 5, 1000, 0)).toBe('waiter-changed');
    expect(await store.inUse(model)).toBe(1);
    expect(await store.grant(waiter(model, 'nobody'), 5, 1000, 0)).toBe('gone');
  });

  it('a grant to a waiter that left takes nothing: gone while a unit is free, full otherwise', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.addWaiter(waiter(model, 'gone'));
    expect(await store.removeWaiter(model, 'gone')).toBe(true);
    expect(await store.removeWaiter(model, 'gone')).toBe(false);
    expect(await store.grant(waiter(model, 'gone'), 1, 1000, 0)).toBe('gone');
    expect(await store.inUse(model)).toBe(0);
    expect(await store.grant(waiter(model, 'a'), 1, 1000, 0)).toMatchObject({ taskToken: 't-a' });
    expect(await store.grant(waiter(model, 'gone'), 1, 1000, 0)).toBe('full');
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['a']);
    expect(await store.waiters(model)).toEqual([]);
  });

  it('a transfer to a waiter that left keeps the unit with its holder', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    expect(await store.transfer('a', waiter(model, 'gone'), 2000, 0)).toBe('waiter-changed');
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['a']);
  });

  it("remembers each user's last grant for fair order, as the line shows it while users differ", async () => {
    const { store, model } = fresh();
    const now = Date.now();
    await store.addWaiter(waiter(model, 'a', 't-a', 'ua'));
    await store.grant(waiter(model, 'a', 't-a', 'ua'), 5, now + 1000, now);
    await store.addWaiter(waiter(model, 'a2', 't-a2', 'ua'));
    await store.addWaiter(waiter(model, 'b', 't-b', 'ub'));
    // ub was never served: absent, which fair order reads as first of all.
    expect((await store.queue(model)).servedAt).toEqual({ ua: now });
  });

  it('grants from the units a line showed, and never a unit taken since', async () => {
    const { store, model } = fresh();
    for (const id of ['a', 'b', 'c']) await store.addWaiter(waiter(model, id));
    const seen = await store.queue(model);
    // Both units go while the line still shows them free.
    expect(await store.grant(waiter(model, 'a'), 2, 1000, 0)).toMatchObject({ taskToken: 't-a' });
    expect(await store.grant(waiter(model, 'b'), 2, 1000, 0, seen)).toMatchObject({ taskToken: 't-b' });
    // The DynamoDB store, trusting the line, takes c out of line before it finds no unit, and puts it back.
    expect(refusal(await store.grant(waiter(model, 'c'), 2, 1000, 0, seen))).toBe('full');
    expect((await store.leases(model)).map((l) => l.jobId).sort()).toEqual(['a', 'b']);
    expect((await store.waiters(model)).map((w) => w.jobId)).toEqual(['c']);
  });

  it('releases from a line read before only the unit the job still holds', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    const seen = await store.queue(model);
    await store.addWaiter(waiter(model, 'b'));
    expect(await store.transfer('a', waiter(model, 'b'), 2000, 0)).toMatchObject({ taskToken: 't-b' });
    expect(await store.release(model, 'a', {}, seen)).toBe(false);
    expect((await store.leases(model)).map((l) => l.jobId)).toEqual(['b']);
    expect(await store.release(model, 'b', {}, seen)).toBe(true);
    expect(await store.inUse(model)).toBe(0);
  });

  it('a second release gives nothing back', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    expect(await store.release(model, 'a')).toBe(true);
    expect(await store.release(model, 'a')).toBe(false);
    expect(await store.inUse(model)).toBe(0);
  });

  it('transfers a unit to a waiter without changing the count', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    await store.addWaiter(waiter(model, 'b'));
    expect(await store.transfer('a', waiter(model, 'b'), 2000, 5)).toMatchObject({ taskToken: 't-b' });
    expect(await store.inUse(model)).toBe(1);
    expect(await store.lease(model, 'a')).toBeUndefined();
    expect(await store.lease(model, 'b')).toMatchObject({ expiresAt: 2000, grantedAt: 5 });
    expect(await store.waiters(model)).toEqual([]);
    // The old holder's unit is gone: a second transfer from it moves nothing.
    await store.addWaiter(waiter(model, 'c'));
    expect(await store.transfer('a', waiter(model, 'c'), 2000, 5)).toBe('lease-gone');
    expect(await store.inUse(model)).toBe(1);
  });

  it('takes a handed-over unit back only while it still carries the hand-over token', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a', 'first'));
    await store.grant(waiter(model, 'a', 'first'), 1, 1000, 0);
    expect(await store.claim(model, 'a', 'second', 'first')).toBe(true);
    expect(await store.release(model, 'a', { onlyToken: 'first' })).toBe(false);
    expect(await store.inUse(model)).toBe(1);
    expect(await store.release(model, 'a', { onlyToken: 'second' })).toBe(true);
  });

  it('reclaims only expired leases', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    expect(await store.release(model, 'a', { expiredBefore: 1000 })).toBe(false);
    expect(await store.release(model, 'a', { expiredBefore: 1001 })).toBe(true);
  });

  it("renews only the holder's lease, keeping its token", async () => {
    const { store, model } = fresh();
    for (const id of ['a', 'b']) await store.addWaiter(waiter(model, id));
    await store.grant(waiter(model, 'a'), 2, 1000, 0);
    await store.grant(waiter(model, 'b'), 2, 1000, 0);
    expect(await store.renew(model, 'a', 5000)).toBe(true);
    expect(await store.lease(model, 'a')).toMatchObject({ expiresAt: 5000, taskToken: 't-a', grantedAt: 0 });
    expect((await store.lease(model, 'b'))?.expiresAt).toBe(1000);
    // The renewed lease is no longer expired for the sweeper; the other one is.
    expect(await store.release(model, 'a', { expiredBefore: 2000 })).toBe(false);
    expect(await store.release(model, 'b', { expiredBefore: 2000 })).toBe(true);
    expect(await store.renew(model, 'nobody', 5000)).toBe(false);
    expect(await store.inUse(model)).toBe(1);
  });

  it('does not renew a reclaimed or handed-on unit', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    expect(await store.release(model, 'a', { expiredBefore: 1001 })).toBe(true);
    expect(await store.renew(model, 'a', 5000)).toBe(false);
    expect(await store.inUse(model)).toBe(0);
    // The slot now held by another job keeps that job's lease.
    for (const id of ['b', 'c']) await store.addWaiter(waiter(model, id));
    await store.grant(waiter(model, 'b'), 1, 2000, 10);
    expect(await store.transfer('b', waiter(model, 'c'), 3000, 20)).toMatchObject({ taskToken: 't-c' });
    expect(await store.renew(model, 'b', 9000)).toBe(false);
    expect(await store.renew(model, 'a', 9000)).toBe(false);
    // Which unit it is (the DynamoDB store names its slots) is beside the point here.
    expect((await store.leases(model)).map(({ unit: _, ...lease }) => lease)).toEqual([
      { model, jobId: 'c', userId: 'u1', expiresAt: 3000, taskToken: 't-c', grantedAt: 20 },
    ]);
  });

  it('keeps when a waiter first came when its token is renewed', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a', 't1', 'u', 10));
    await store.addWaiter(waiter(model, 'a', 't2', 'u', 10));
    expect(await store.waiters(model)).toEqual([waiter(model, 'a', 't2', 'u', 10)]);
  });

  it('takes a waiter out by its token only while its record carries that token', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a', 't1'));
    await store.addWaiter(waiter(model, 'a', 't2'));
    expect(await store.removeWaiter(model, 'a', 't1')).toBe(false);
    expect(await store.waiters(model)).toEqual([waiter(model, 'a', 't2')]);
    expect(await store.removeWaiter(model, 'a', 't2')).toBe(true);
    expect(await store.removeWaiter(model, 'a', 't2')).toBe(false);
    expect(await store.waiters(model)).toEqual([]);
  });

  it('never lets a lowered capacity be exceeded by new grants', async () => {
    const { store, model } = fresh();
    for (const id of ['a', 'b', 'c']) await store.addWaiter(waiter(model, id));
    await store.grant(waiter(model, 'a'), 3, 1000, 0);
    await store.grant(waiter(model, 'b'), 3, 1000, 0);
    expect(await store.grant(waiter(model, 'c'), 1, 1000, 0)).toBe('full');
    await store.release(model, 'a');
    expect(await store.grant(waiter(model, 'c'), 1, 1000, 0)).toBe('full');
  });

  it('concurrent grants to one waiter leave it one unit', async () => {
    const { store, model } = fresh();
    await store.addWaiter(waiter(model, 'a'));
    const results = await Promise.all(
      Array.from({ length: 4 }, () => store.grant(waiter(model, 'a'), 10, 1000, 0)),
    );
    expect(results.filter((r) => typeof r === 'object')).toHaveLength(1);
    expect(await store.inUse(model)).toBe(1);
  });
});

describe('dynamodb capacity store, a hand-over meeting a retry', () => {
  it("answers the token it wrote on the lease, leaving a retry's claimed token to that retry", async () => {
    const model = `m${++modelCounter}`;
    const client = DynamoDBDocumentClient.from(dynamo.client);
    const store = dynamoCapacityStore(client, dynamo.tables.capacity);
    await store.addWaiter(waiter(model, 'a'));
    await store.grant(waiter(model, 'a'), 1, 1000, 0);
    await store.addWaiter(waiter(model, 'j', 'j-1'));
    // The unit is moved to j under its listed token; before the hand-over takes j's record, j's retried
    // state registers its new token and takes the unit up.
    const send = client.send.bind(client);
    let retried = false;
    client.send = (async (command: { input: { Key?: { sk?: string }; ReturnValues?: string } }) => {
      if (!retried && command.input.Key?.sk === 'waiter#j' && command.input.ReturnValues === 'ALL_OLD') {
        retried = true;
        await store.addWaiter(waiter(model, 'j', 'j-2'));
        expect(await store.claim(model, 'j', 'j-2', 'j-1')).toBe(true);
      }
      return send(command as never);
    }) as typeof client.send;
    expect(await store.transfer('a', waiter(model, 'j', 'j-1'), 2000, 5)).toMatchObject({ taskToken: 'j-1' });
    expect(retried).toBe(true);
    expect((await store.lease(model, 'j'))?.taskToken).toBe('j-2');
  });
});

describe('dynamodb capacity store, a grant that finds no unit after taking its waiter out', () => {
  /** The store on a client that runs `meanwhile` once, right after the grant has taken j's record out. */
  function withWindow(meanwhile: (store: CapacityStore, model: string) => Promise<void>) {
    const model = `m${++modelCounter}`;
    const client = DynamoDBDocumentClient.from(dynamo.client);
    const store = dynamoCapacityStore(client, dynamo.tables.capacity);
    const send = client.send.bind(client);
    let opened = false;
    client.send = (async (command: { input: { Key?: { sk?: string }; ConditionExpression?: string } }) => {
      const out = await send(command as never);
      if (
        !opened &&
        command.input.Key?.sk === 'waiter#j' &&
        command.input.ConditionExpression === 'attribute_exists(sk)'
      ) {
        opened = true;
        await meanwhile(store, model);
      }
      return out;
    }) as typeof client.send;
    return { store, model, opened: () => opened };
  }
  // Another job takes the only unit, which the grant saw free.
  const unitTaken = async (store: CapacityStore, model: string) => {
    await store.addWaiter(waiter(model, 'x'));
    expect(await store.grant(waiter(model, 'x'), 1, 1000, 0)).toMatchObject({ taskToken: 't-x' });
  };

  it('puts the record back and says so, with the token the record carried', async () => {
    const { store, model, opened } = withWindow(unitTaken);
    await store.addWaiter(waiter(model, 'j', 'j-2'));
    expect(await store.grant(waiter(model, 'j', 'j-1'), 1, 1000, 0)).toEqual({
      refused: 'full',
      putBack: waiter(model, 'j', 'j-2'),
    });
    expect(opened()).toBe(true);
    expect(await store.waiters(model)).toEqual([waiter(model, 'j', 'j-2')]);
  });

  it('says nothing was put back when a newer attempt of the job registered meanwhile', async () => {
    const { store, model } = withWindow(async (s, m) => {
      await unitTaken(s, m);
      await s.addWaiter(waiter(m, 'j', 'j-3'));
    });
    await store.addWaiter(waiter(model, 'j', 'j-2'));
    expect(await store.grant(waiter(model, 'j', 'j-2'), 1, 1000, 0)).toBe('full');
    expect(await store.waiters(model)).toEqual([waiter(model, 'j', 'j-3')]);
  });
});
