/**
 * CloudFormation custom resource: applies pending drizzle migrations through the Data API on every deploy
 * that changes them. The migration files travel in the bundle (MIGRATIONS_DIR). Aurora may be paused, so
 * the first statement is retried while it resumes.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureAppRole, parseRoleSecret } from '#shared/db/app-role.ts';
import { migrate } from '#shared/db/migrate.ts';
import { dataApiDatabase } from '#shared/runtime/database-aws.ts';

const RESUMING = /DatabaseResumingException|is resuming|Communications link failure/i;

export async function handler(event: CloudFormationCustomResourceEvent) {
  const physicalResourceId = 'database-migrations';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrate(dataApiDatabase());
      break;
    } catch (error) {
      const text = `${(error as Error).name} ${(error as Error).message}`;
      if (attempt >= 10 || !RESUMING.test(text)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5000 * attempt));
    }
  }
  await applyAppRole();
  return { PhysicalResourceId: physicalResourceId };
}

/** The role every other function uses (shared/db/app-role.ts), with the password of its own secret. */
async function applyAppRole(): Promise<void> {
  const secretArn = process.env.APP_DB_SECRET_ARN;
  if (!secretArn) throw new Error('Missing environment variable APP_DB_SECRET_ARN');
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  await ensureAppRole(dataApiDatabase(), parseRoleSecret(secret.SecretString));
}
