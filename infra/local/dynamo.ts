import { once } from 'node:events';
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
import { unverifiedSigner, workerHandler } from './dynamo-transport.ts';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tables: { idempotency: string; audit: string; rateLimit: string; capacity: string };
  stop(): Promise<void>;
}

/**
 * dynalite (in memory, or LevelDB under `path`) in a worker thread, listening on loopback, with the
 * idempotency, audit, rate-limit and model-capacity tables. `client` posts to the worker (dynamo-transport.ts).
 */
export async function startLocalDynamo(options: { path?: string } = {}): Promise<LocalDynamo> {
  const worker = new Worker(new URL('./dynamo-worker.mjs', import.meta.url), {
    workerData: { path: options.path },
  });
  const [ready] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => Promise.reject(error)),
  ])) as [{ type: 'ready'; port: number }];
  const endpoint = `http://127.0.0.1:${ready.port}`;
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  const handler = workerHandler(worker);
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // This process's calls go to the worker directly; other processes use `endpoint`.
    requestHandler: handler,
    signer: unverifiedSigner,
  });
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
      handler.stop();
      client.destroy();
      if (exited) return;
      worker.ref();
      const stopped = new Promise<void>((resolve) => {
        const onMessage = (message: { type?: string }) => {
          if (message.type !== 'stopped') return;
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
      });
      worker.postMessage({ type: 'stop' });
      // dynalite closes its store once the listener has closed; the thread ends after that.
      await Promise.race([stopped, once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}
