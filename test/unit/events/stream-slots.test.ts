import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '#shared/errors.ts';
import { dynamoStreamSlots, type StreamSlot } from '#shared/events/stream-slots.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('event stream slots in DynamoDB', () => {
  const slots = (options: { most?: number; leaseMs?: number; now?: () => number } = {}) =>
    dynamoStreamSlots(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.rateLimit, options);

  it('lets parallel opens of one user past the bound not at all, and other users alongside', async () => {
    const user = randomUUID();
    const limited = slots({ most: 3 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => limited.take(user)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsError);
    await expect(limited.take(randomUUID())).resolves.toBeDefined();
  });

  it('gives a released slot back, and a lapsed one to the next stream without letting its holder keep it', async () => {
    let clock = Date.UTC(2026, 10, 27, 12);
    const user = randomUUID();
    const limited = slots({ most: 1, leaseMs: 60_000, now: () => clock });
    const first = await limited.take(user);
    await expect(limited.take(user)).rejects.toBeInstanceOf(TooManyRequestsError);
    clock += 30_000;
    expect(await first.renew()).toBe(true);
    clock += 45_000; // renewed 30 s in: still held
    await expect(limited.take(user)).rejects.toBeInstanceOf(TooManyRequestsError);
    clock += 20_000; // past the renewed lease: its holder is gone
    const second: StreamSlot = await limited.take(user);
    expect(await first.renew()).toBe(false);
    await first.release(); // the lapsed holder's release leaves the new holder's slot alone
    await expect(limited.take(user)).rejects.toBeInstanceOf(TooManyRequestsError);
    await second.release();
    await expect(limited.take(user)).resolves.toBeDefined();
  });
});
