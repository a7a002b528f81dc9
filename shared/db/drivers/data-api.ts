import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { drizzle } from 'drizzle-orm/aws-data-api/pg';
import type { Database, DatabaseHandle, StatementCounter } from '../database.ts';
import { schema } from '../tables.ts';

export interface DataApiOptions {
  resourceArn: string;
  secretArn: string;
  database: string;
  client?: RDSDataClient;
  counter?: StatementCounter;
}

/** Aurora Serverless v2 through the RDS Data API: no connections to manage from Lambda. */
export function openDataApi(options: DataApiOptions): DatabaseHandle & { client: RDSDataClient } {
  const client = options.client ?? new RDSDataClient({});
  const db = drizzle(client, {
    schema,
    resourceArn: options.resourceArn,
    secretArn: options.secretArn,
    database: options.database,
    logger: options.counter ?? false,
  }) as unknown as Database;
  return { kind: 'data-api', db, client, close: async () => undefined };
}
