import { Worker } from 'node:worker_threads';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../../infra/local/dynamo.ts';
import { threadHandler } from '../../../infra/local/dynamo-transport.ts';

let dynamo: LocalDynamo;
let overHttp: DynamoDBDocumentClient;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
  overHttp = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});
afterAll(async () => {
  overHttp?.destroy();
  await dynamo?.stop();
});

describe('the local DynamoDB client, in process', () => {
  it('writes what a client over HTTP reads, and reads what it writes', async () => {
    const inProcess = DynamoDBDocumentClient.from(dynamo.client);
    const table = dynamo.tables.capacity;
    await inProcess.send(new PutCommand({ TableName: table, Item: { pk: 't1', sk: 'a', n: 1, s: 'é ✓' } }));
    await overHttp.send(new PutCommand({ TableName: table, Item: { pk: 't1', sk: 'b', n: 2 } }));
    const viaHttp = await overHttp.send(new GetCommand({ TableName: table, Key: { pk: 't1', sk: 'a' } }));
    expect(viaHttp.Item).toEqual({ pk: 't1', sk: 'a', n: 1, s: 'é ✓' });
    const listed = await inProcess.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 't1' },
        ConsistentRead: true,
      }),
    );
    expect(listed.Items?.map((i) => i.n)).toEqual([1, 2]);
  });

  it('fails a conditional write as DynamoDB does', async () => {
    const inProcess = DynamoDBDocumentClient.from(dynamo.client);
    const put = () =>
      inProcess.send(
        new PutCommand({
          TableName: dynamo.tables.capacity,
          Item: { pk: 't2', sk: 'a' },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    await put();
    await expect(put()).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('pages a query with a start key', async () => {
    const inProcess = DynamoDBDocumentClient.from(dynamo.client);
    const table = dynamo.tables.capacity;
    for (let i = 0; i < 5; i++)
      await inProcess.send(new PutCommand({ TableName: table, Item: { pk: 't3', sk: `k${i}` } }));
    const seen: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await inProcess.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 't3' },
          Limit: 2,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      seen.push(...(page.Items ?? []).map((i) => i.sk as string));
      start = page.LastEvaluatedKey;
    } while (start);
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it('refuses calls once the stand-in has stopped, as a closed port does', async () => {
    const stopped = await startLocalDynamo();
    const documents = DynamoDBDocumentClient.from(stopped.client);
    await stopped.stop();
    await expect(
      documents.send(new PutCommand({ TableName: stopped.tables.capacity, Item: { pk: 'a', sk: 'b' } })),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses the calls waiting on a thread that dies, and every later one, with the reason', async () => {
    // A stand-in thread that takes calls and dies on the second without answering either.
    const thread = new Worker(
      `const { parentPort } = require('node:worker_threads');
       let calls = 0;
       parentPort.on('message', () => { if (++calls === 2) throw new Error('store is damaged'); });`,
      { eval: true },
    );
    const client = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: threadHandler(thread),
      maxAttempts: 1,
    });
    try {
      const first = client.send(new ListTablesCommand({}));
      const second = client.send(new ListTablesCommand({}));
      await expect(first).rejects.toThrow('The local DynamoDB failed: store is damaged');
      await expect(second).rejects.toThrow('The local DynamoDB failed: store is damaged');
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow('store is damaged');
    } finally {
      client.destroy();
      await thread.terminate();
    }
  });

  it('answers from a thread of its own: the store works while the caller is busy', async () => {
    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const write = documents
      .send(new PutCommand({ TableName: dynamo.tables.capacity, Item: { pk: 'thread', sk: 'a' } }))
      .then(() => 'answered');
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    await turn(); // the call has left the caller
    // Keep the caller's thread busy. A store in this thread could not take one step meanwhile, and would
    // still need several turns of the event loop (its LevelDB reads and writes) once this ends.
    const until = Date.now() + 300;
    while (Date.now() < until);
    const first = await Promise.race([write, turn().then(() => 'waiting')]);
    expect(first).toBe('answered');
  });
});
