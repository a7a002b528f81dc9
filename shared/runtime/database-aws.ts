/** The database of a Lambda function: Aurora through the Data API, opened once per execution environment. */
import { awsDatabaseConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { openDataApi } from '../db/drivers/data-api.ts';
import type { RetryPolicy } from '../db/drivers/data-api-retry.ts';

/**
 * How long each kind of caller waits for a paused or throttled database before giving up (Aurora resumes
 * from a pause in about 15 s). Each budget must end before its function's timeout, or the caller is killed
 * instead of getting a ServiceUnavailableError: an API request keeps within API Gateway's 30 s (function
 * timeout 29 s); pipeline tasks (60 s) and the event handlers that share their runtime (29 s) get a little
 * longer than the API; migrations (10 min) can outlast a slow resume.
 */
export const DATA_API_RETRY = {
  api: { budgetMs: 20_000 },
  pipeline: { budgetMs: 25_000 },
  migration: { budgetMs: 300_000, maxDelayMs: 10_000 },
  /** Cognito gives its triggers 5 s in all; the first authenticated request creates a row this misses. */
  cognitoTrigger: { budgetMs: 3_000 },
} satisfies Record<string, RetryPolicy>;

let db: Database | undefined;

/** The first call's policy holds for the life of the process (one Lambda function, one kind of caller). */
export function dataApiDatabase(retry: RetryPolicy = DATA_API_RETRY.api): Database {
  if (db) return db;
  const env = awsDatabaseConfig();
  db = openDataApi({
    resourceArn: env.DB_CLUSTER_ARN,
    secretArn: env.DB_SECRET_ARN,
    database: env.DB_NAME,
    retry,
  }).db;
  return db;
}
