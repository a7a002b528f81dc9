/**
 * The composition root of the account worker on AWS: what an export and an erasure use, and none of what the
 * API functions' root (aws.ts) builds for requests (the token verifier, the login limiter, API keys, the
 * users' row guard, the media signer), so the worker's bundle carries none of that code. Built by the first
 * invocation, once per execution environment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAccountRecords } from '../account/dynamo-records.ts';
import { createExportRepository } from '../account/exports.ts';
import type { AccountTaskContext } from '../account/worker.ts';
import { awsRuntimeConfig } from '../config.ts';
import { createJobRepository } from '../jobs/repository.ts';
import { StdoutLogger } from '../observability/stdout-logger.ts';
import { tracedClient } from '../observability/tracing.ts';
import { sdkConfig } from '../sdk/sha256.ts';
import { type AwsEnvironment, identity, store, workflow } from './aws-adapters.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';
import { createOnce } from './once.ts';
import { secretKey } from './secret-key.ts';

function build(): AccountTaskContext & { logger: StdoutLogger } {
  const config = awsRuntimeConfig();
  const dynamo = tracedClient(new DynamoDBClient(sdkConfig()));
  const documents = DynamoDBDocumentClient.from(dynamo);
  const env: AwsEnvironment = { config, dynamo, documents, once: createOnce() };
  const db = dataApiDatabase(DATA_API_RETRY.api);
  return {
    db,
    ...store(env),
    ...workflow(env),
    ...identity(env),
    jobs: createJobRepository(db),
    exports: createExportRepository(db),
    accountRecords: dynamoAccountRecords(documents, {
      audit: config.AUDIT_TABLE,
      idempotency: config.IDEMPOTENCY_TABLE,
    }),
    pseudonymKey: secretKey(config.AUDIT_PSEUDONYM_SECRET_ARN, 'AUDIT_PSEUDONYM_SECRET_ARN'),
    logger: new StdoutLogger({ serviceName: 'ai-video-api' }),
  };
}

let instance: ReturnType<typeof build> | undefined;

export function accountWorkerContext(): ReturnType<typeof build> {
  instance ??= build();
  return instance;
}
