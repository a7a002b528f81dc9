import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AUDIT_TABLE_KEYS, IDEMPOTENCY_TABLE_KEYS } from '#shared/audit/dynamodb.ts';
import { RATE_LIMIT_TABLE_KEYS } from '#shared/auth/login-limiter.ts';
import { CAPACITY_TABLE_KEYS } from '#shared/capacity/dynamodb-store.ts';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tables: { idempotency: string; audit: string; rateLimit: string; capacity: string };
  stop(): Promise<void>;
}

/**
 * dynalite on loopback (in memory, or LevelDB under `path`), with the idempotency, audit, rate-limit and
 * model-capacity tables.
 */
export async function startLocalDynamo(options: { path?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = {
    idempotency: 'idempotency',
    audit: 'audit-log',
    rateLimit: 'rate-limit',
    capacity: 'model-capacity',
  };
  const create = async (input: ConstructorParameters<typeof CreateTableCommand>[0], ttl?: string) => {
    try {
      await client.send(new CreateTableCommand(input));
      if (!ttl) return;
      // dynalite does not implement TTL; the attribute is still written, as on AWS.
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: input.TableName,
            TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
          }),
        )
        .catch((error: { name?: string }) => {
          if (error.name !== 'UnknownOperationException') throw error;
        });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
  };
  await create(
    {
      TableName: tables.idempotency,
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEYS.partition, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE_KEYS.partition, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
    IDEMPOTENCY_TABLE_KEYS.ttl,
  );
  await create(
    {
      TableName: tables.audit,
      KeySchema: [
        { AttributeName: AUDIT_TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: AUDIT_TABLE_KEYS.partition, AttributeType: 'S' },
        { AttributeName: AUDIT_TABLE_KEYS.sort, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    AUDIT_TABLE_KEYS.ttl,
  );
  await create(
    {
      TableName: tables.rateLimit,
      KeySchema: [{ AttributeName: RATE_LIMIT_TABLE_KEYS.partition, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: RATE_LIMIT_TABLE_KEYS.partition, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
    RATE_LIMIT_TABLE_KEYS.ttl,
  );
  await create(
    {
      TableName: tables.capacity,
      KeySchema: [
        { AttributeName: CAPACITY_TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: CAPACITY_TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: CAPACITY_TABLE_KEYS.partition, AttributeType: 'S' },
        { AttributeName: CAPACITY_TABLE_KEYS.sort, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    CAPACITY_TABLE_KEYS.ttl,
  );
  return {
    endpoint,
    client,
    tables,
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
