/**
 * An idempotency record stays INPROGRESS when its request never finished (the function timed out, or the
 * environment was stopped). Powertools lets a later request with the same key take over such a record only
 * once its in_progress_expiration has passed, and writes that attribute only when it knows how long the
 * invocation may still run (Powertools for AWS Lambda, Idempotency, "Handling Lambda timeouts"); without
 * it the key stays blocked until the record's expiration, a day later.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { dynamoIdempotency } from '#shared/idempotency/idempotent.ts';

const dynamo = mockClient(DynamoDBClient);
afterEach(() => dynamo.reset());

it('marks each in-progress record as lapsing once no invocation can still be running it', async () => {
  dynamo.on(PutItemCommand).resolves({});
  const run = dynamoIdempotency(new DynamoDBClient({ region: 'us-east-1' }), 'idempotency');
  const before = Date.now();
  await run({ key: 'user:jobs:key-0001', payload: { a: 1 } }, async () => ({ statusCode: 202 }));
  const item = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
  expect(item.status).toEqual({ S: 'INPROGRESS' });
  const lapses = Number(item.in_progress_expiration?.N);
  // Longer than an API function may run (29 s), and no longer than a few seconds past it.
  expect(lapses).toBeGreaterThanOrEqual(before + 29_000);
  expect(lapses).toBeLessThanOrEqual(Date.now() + 35_000);
});
