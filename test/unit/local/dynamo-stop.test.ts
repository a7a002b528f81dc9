/**
 * Stopping the local DynamoDB closes dynalite's store. Calls it is still answering then must end first:
 * dynalite's storage layer throws "Database is closed" outside any promise a caller holds, which took
 * down whichever test (or server) stopped with a call in flight.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { startLocalDynamo } from '../../../infra/local/dynamo.ts';

it('answers the calls in flight before it closes its store', async () => {
  const dynamo = await startLocalDynamo();
  const writes = Array.from({ length: 50 }, (_, i) =>
    dynamo.client.send(
      new PutCommand({ TableName: dynamo.tables.capacity, Item: { pk: 'stop', sk: String(i) } }),
    ),
  );
  // Let dynalite take them up, then stop while they are being written.
  await new Promise((resolve) => setImmediate(resolve));
  await dynamo.stop();
  const outcomes = await Promise.allSettled(writes);
  expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
});
