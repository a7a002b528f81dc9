/** The database of a Lambda function that needs nothing else: Aurora through the Data API, opened once. */
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import * as z from 'zod';
import type { Database } from '../db/database.ts';
import { openDataApi } from '../db/drivers/data-api.ts';

let db: Database | undefined;

export function dataApiDatabase(): Database {
  if (db) return db;
  const env = z
    .object({
      DB_CLUSTER_ARN: z.string().startsWith('arn:'),
      DB_SECRET_ARN: z.string().startsWith('arn:'),
      DB_NAME: z.string().min(1),
    })
    .parse(process.env);
  db = openDataApi({
    client: new RDSDataClient({}),
    resourceArn: env.DB_CLUSTER_ARN,
    secretArn: env.DB_SECRET_ARN,
    database: env.DB_NAME,
  }).db;
  return db;
}
