/**
 * CloudFormation custom resource: applies pending drizzle migrations through the Data API on every deploy
 * that changes them. The migration files travel in the bundle (MIGRATIONS_DIR).
 *
 * dev and staging let Aurora pause, so the first call of a deploy meets DatabaseResumingException. The driver
 * retries single calls; the migration as a whole (one transaction, applied migrations recorded in the same
 * transaction) is also repeated while it fails transiently, wherever drizzle put the Data API's error in the
 * cause chain, until the migration budget is spent.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureAppRole, parseRoleSecret } from '#shared/db/app-role.ts';
import type { Database } from '#shared/db/database.ts';
import { type RetryPolicy, retryTransient } from '#shared/db/drivers/data-api-retry.ts';
import { migrate } from '#shared/db/migrate.ts';
import { beginInvocation, tracedClient } from '#shared/observability/tracing.ts';
import { DATA_API_RETRY, dataApiDatabase } from '#shared/runtime/database-aws.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';

/** Re-running the whole migration is safe: it skips what the journal says was applied. */
export function applyMigrations(db: Database, policy: RetryPolicy = DATA_API_RETRY.migration): Promise<void> {
  return retryTransient(() => migrate(db), true, policy);
}

export async function handler(event: CloudFormationCustomResourceEvent) {
  await beginInvocation();
  const physicalResourceId = 'database-migrations';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const db = dataApiDatabase(DATA_API_RETRY.migration);
  await applyMigrations(db);
  await applyAppRole(db);
  return { PhysicalResourceId: physicalResourceId };
}

/** The role every other function uses (shared/db/app-role.ts), with the password of its own secret. */
async function applyAppRole(db: Database): Promise<void> {
  const secretArn = process.env.APP_DB_SECRET_ARN;
  if (!secretArn) throw new Error('Missing environment variable APP_DB_SECRET_ARN');
  const secret = await tracedClient(new SecretsManagerClient(sdkConfig())).send(
    new GetSecretValueCommand({ SecretId: secretArn }),
  );
  await ensureAppRole(db, parseRoleSecret(secret.SecretString));
}
