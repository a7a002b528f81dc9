/**
 * The audit writer: invoked by the CloudWatch Logs subscription filters on the API functions' log groups
 * with the audit lines they wrote (shared/audit/line.ts), it stores them in the audit table. A failure
 * throws, so Lambda retries the invocation (a redelivered line overwrites its own item) and then sends the
 * payload to the on-failure queue, from which it can be replayed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeLogsSubscription } from '#shared/audit/subscription.ts';
import { type AuditWriter, createAuditWriter } from '#shared/audit/writer.ts';
import { beginInvocation, tracedClient } from '#shared/observability/tracing.ts';
import { secretKey } from '#shared/runtime/secret-key.ts';
import * as z from '#shared/schema/zod.ts';
import { sdkConfig } from '#shared/sdk/sha256.ts';

const environment = z.object({
  AUDIT_TABLE: z.string().check(z.minLength(1)),
  AUDIT_PSEUDONYM_SECRET_ARN: z.string().check(z.minLength(1)),
});
const logger = new Logger({ serviceName: 'ai-video-audit-writer' });
let writer: AuditWriter | undefined;

function writerFromEnv(): AuditWriter {
  const env = environment.parse(process.env);
  return createAuditWriter({
    client: DynamoDBDocumentClient.from(tracedClient(new DynamoDBClient(sdkConfig()))),
    table: env.AUDIT_TABLE,
    pseudonymKey: secretKey(env.AUDIT_PSEUDONYM_SECRET_ARN, 'AUDIT_PSEUDONYM_SECRET_ARN'),
  });
}

export const handler = async (event: unknown): Promise<void> => {
  await beginInvocation();
  const data = decodeLogsSubscription(event);
  if (data.messageType !== 'DATA_MESSAGE') return;
  writer ??= writerFromEnv();
  const report = await writer.write(data.logEvents.map((e) => e.message));
  // Another line in the subscription's group means its filter pattern and this parser disagree.
  if (report.ignored)
    logger.warn('log events that are not audit lines', { logGroup: data.logGroup, ...report });
  else logger.info('audit lines stored', { logGroup: data.logGroup, ...report });
};
