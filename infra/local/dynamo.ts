import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS } from '#shared/audit/dynamodb.ts';
import { RATE_LIMIT_TABLE_KEYS } from '#shared/auth/login-limiter.ts';
import { CAPACITY_TABLE_KEYS } from '#shared/capacity/dynamodb-store.ts';
import { countCallsToFile } from './dynamo-calls.ts';
import { threadHandler, unverifiedSigner } from './dynamo-transport.ts';

export const LOCAL_DYNAMO_THREAD = 'local-dynamodb';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tables: { idempotency: string; audit: string; rateLimit: string; capacity: string };
  stop(): Promise<void>;
}

/**
 * dynalite in a thread of its own (in memory, or LevelDB under `path`), listening on loopback, with the
 * idempotency, audit, rate-limit and model-capacity tables. `client` posts its calls to that thread
 * (dynamo-transport.ts).
 */
export async function startLocalDynamo(options: { path?: string } = {}): Promise<LocalDynamo> {
  // No TypeScript loader in the thread (execArgv): it runs plain JavaScript.
  const thread = new Worker(new URL('./dynamo-thread.mjs', import.meta.url), {
    workerData: { path: options.path },
    execArgv: [],
    // The thread's name on Linux (/proc/<pid>/task/*/comm): the API benchmark reports its CPU apart.
    name: LOCAL_DYNAMO_THREAD,
  });
  const listening = await new Promise<{ port: number }>((resolve, reject) => {
    const onMessage = (message: { type: string; port: number }) => {
      if (message.type !== 'listening') return;
      thread.off('message', onMessage);
      thread.off('error', reject);
      resolve(message);
    };
    thread.on('message', onMessage);
    thread.once('error', reject);
  });
  const endpoint = `http://127.0.0.1:${listening.port}`;
  const transport = threadHandler(thread);
  // A store that failed under the server is as fatal as it was in the server's own thread: no request may
  // go on without its audit entry, its idempotency record or its rate limit.
  thread.on('error', (error) =>
    setImmediate(() => {
      throw new Error(`The local DynamoDB failed: ${error.message}`, { cause: error });
    }),
  );
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // This process's calls skip the loopback socket; other processes use `endpoint`.
    requestHandler: transport,
    signer: unverifiedSigner,
  });
  const writeCalls = countCallsToFile(client);
  const tables = {
    idempotency: 'idempotency',
    audit: 'audit-log',
    rateLimit: 'rate-limit',
    capacity: 'model-capacity',
  };
  /** A pay-per-request table keyed as on AWS (partition key, and sort key when it has one), with its TTL. */
  const create = async (name: string, keys: { partition: string; sort?: string; ttl: string }) => {
    const keyNames = keys.sort ? [keys.partition, keys.sort] : [keys.partition];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: keyNames.map((AttributeName, i) => ({ AttributeName, KeyType: i ? 'RANGE' : 'HASH' })),
          AttributeDefinitions: keyNames.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // dynalite does not implement TTL; the attribute is still written, as on AWS.
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: keys.ttl, Enabled: true },
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'UnknownOperationException') throw error;
        });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
  };
  await create(tables.idempotency, IDEMPOTENCY_TABLE_KEYS);
  await create(tables.audit, AUDIT_TABLE_KEYS);
  await create(tables.rateLimit, RATE_LIMIT_TABLE_KEYS);
  await create(tables.capacity, CAPACITY_TABLE_KEYS);
  // A new table is CREATING for a moment (a timer in dynalite), and refuses items until it is ACTIVE.
  for (const name of Object.values(tables)) {
    while ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE')
      await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    endpoint,
    client,
    tables,
    async stop() {
      writeCalls();
      client.destroy();
      // Closing the server closes dynalite's store: the calls it is still answering end first.
      await transport.drain();
      const closed = new Promise<void>((resolve) => {
        thread.on('message', (message: { type: string }) => message.type === 'closed' && resolve());
        thread.once('exit', () => resolve());
      });
      thread.postMessage({ type: 'close' });
      await closed;
      await thread.terminate();
    },
  };
}
