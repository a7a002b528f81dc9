/**
 * The relay's entry point on an idle stage: one GetItem of the idle marker in the rate limit table, and no
 * Data API call at all while it rests.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const databaseUsed = vi.fn();
vi.mock('#shared/runtime/database-aws.ts', () => ({
  DATA_API_RETRY: { pipeline: {} },
  dataApiDatabase: () =>
    new Proxy(
      {},
      {
        get(_, key) {
          databaseUsed(key);
          throw new Error('the relay asked the database while resting');
        },
      },
    ),
}));

const dynamo = mockClient(DynamoDBDocumentClient);
beforeEach(() => {
  process.env.WEBHOOK_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/deliveries';
  process.env.RATE_LIMIT_TABLE = 'rate-limits';
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(() => dynamo.reset());

it('reads the marker once and leaves the database alone while the relay rests', async () => {
  dynamo.on(GetCommand).resolves({ Item: { pk: 'idle-marker', wokenAt: 1, relayUntil: -1 } });
  const { handler } = await import('#functions/events/webhook-relay.ts');
  const result = await handler({}, { getRemainingTimeInMillis: () => 60_000 } as never);
  expect(result).toEqual({ resting: true, queued: 0, pruned: 0 });
  expect(dynamo.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetCommand']);
  expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
    TableName: 'rate-limits',
    Key: { pk: 'idle-marker' },
  });
  expect(databaseUsed).not.toHaveBeenCalled();
});

it('relays as before when the marker cannot be read', async () => {
  dynamo.on(GetCommand).rejects(new Error('DynamoDB unavailable'));
  const { handler } = await import('#functions/events/webhook-relay.ts');
  // The run goes on to the database (which this test's double refuses).
  await expect(handler({}, { getRemainingTimeInMillis: () => 60_000 } as never)).rejects.toThrow(
    'the relay asked the database while resting',
  );
  expect(databaseUsed).toHaveBeenCalled();
});
