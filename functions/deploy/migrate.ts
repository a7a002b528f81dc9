/**
 * CloudFormation custom resource: applies pending drizzle migrations through the Data API on every deploy
 * that changes them. The migration files travel in the bundle (MIGRATIONS_DIR). Aurora may be paused, so
 * the first statement is retried while it resumes.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
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
  return { PhysicalResourceId: physicalResourceId };
}
