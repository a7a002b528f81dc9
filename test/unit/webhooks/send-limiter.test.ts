import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, TooManyRequestsError } from '#shared/errors.ts';
import { dynamoWebhookSendLimiter, MANUAL_SENDS_PER_MINUTE } from '#shared/webhooks/send-limiter.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

describe('manual webhook sends in DynamoDB', () => {
  const limiter = (now?: () => number) =>
    dynamoWebhookSendLimiter(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.rateLimit, {
      ...(now ? { now } : {}),
    });
  const send = async () => 'queued';

  it('lets parallel sends of one user past the limit not at all, and other users alongside', async () => {
    const user = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: MANUAL_SENDS_PER_MINUTE * 2 }, () => limiter().run(user, send)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MANUAL_SENDS_PER_MINUTE);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsError);
    await expect(limiter().run(randomUUID(), send)).resolves.toBe('queued');
  });

  it('says when to try again, and counts afresh in the next minute', async () => {
    let clock = Date.UTC(2026, 10, 27, 12, 0, 15);
    const user = randomUUID();
    const limited = limiter(() => clock);
    for (let i = 0; i < MANUAL_SENDS_PER_MINUTE; i += 1) await limited.run(user, send);
    const refused = await limited.run(user, send).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as TooManyRequestsError).retryAfterSeconds).toBe(45);
    expect((refused as Error).message).toBe(
      `At most ${MANUAL_SENDS_PER_MINUTE} webhook test sends and retries may be asked for a minute; try again in 45 s.`,
    );
    clock += 45_000;
    await expect(limited.run(user, send)).resolves.toBe('queued');
  });

  it('gives back the count of a send that queued nothing', async () => {
    const user = randomUUID();
    const limited = limiter();
    const failing = async () => {
      throw new NotFoundError('webhook');
    };
    for (let i = 0; i < MANUAL_SENDS_PER_MINUTE * 2; i += 1)
      await expect(limited.run(user, failing)).rejects.toBeInstanceOf(NotFoundError);
    for (let i = 0; i < MANUAL_SENDS_PER_MINUTE; i += 1) await limited.run(user, send);
    await expect(limited.run(user, send)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});
