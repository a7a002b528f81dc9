/** The database of a Lambda function that needs nothing else: Aurora through the Data API, opened once. */
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { awsDatabaseConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { openDataApi } from '../db/drivers/data-api.ts';

let db: Database | undefined;

export function dataApiDatabase(): Database {
  if (db) return db;
  const env = awsDatabaseConfig();
  db = openDataApi({
    client: new RDSDataClient({}),
    resourceArn: env.DB_CLUSTER_ARN,
    secretArn: env.DB_SECRET_ARN,
    database: env.DB_NAME,
  }).db;
  return db;
}
