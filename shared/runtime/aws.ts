/**
 * The composition root of every API function: AWS adapters built from the environment CDK sets. It only
 * installs itself when no other root (the local server) has, and builds nothing until the first request.
 *
 * Every request reads the database, so the RDS Data API client is imported here, and so is DynamoDB's (API
 * keys' failed checks are counted there). S3, Cognito, Step Functions and Secrets Manager serve only some
 * routes: their packages are imported by the factories below on first use, so a function whose routes
 * never reach them never loads them. Audit entries are log lines (shared/audit/line.ts), not requests.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAccountRecords } from '../account/dynamo-records.ts';
import { lambdaAccountTasks } from '../account/lambda-runner.ts';
import { stdoutAuditLog } from '../audit/line.ts';
import { createCognitoIdentityProvider } from '../auth/cognito.ts';
import { dynamoLoginLimiter } from '../auth/login-limiter.ts';
import { cognitoVerifier } from '../auth/verifier.ts';
import { dynamoCapacityStore } from '../capacity/dynamodb-store.ts';
import { awsRuntimeConfig } from '../config.ts';
import { dynamoIdempotency } from '../idempotency/idempotent.ts';
import { StdoutLogger } from '../observability/stdout-logger.ts';
import { tracedClient } from '../observability/tracing.ts';
import { clientGetter } from '../sdk/lazy-client.ts';
import { createMediaSigner, createS3Store } from '../storage/s3.ts';
import { stepFunctionsWorkflow } from '../workflow/step-functions.ts';
import { buildContext, setContextFactory } from './context.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';
import { secretKey } from './secret-key.ts';

setContextFactory(
  async () => {
    const config = awsRuntimeConfig();
    const dynamo = tracedClient(new DynamoDBClient({}));
    const documents = DynamoDBDocumentClient.from(dynamo);
    const s3 = clientGetter(async () => new (await import('@aws-sdk/client-s3')).S3Client({}));
    const bucket = { client: s3, bucket: config.MEDIA_BUCKET, kmsKeyId: config.MEDIA_KMS_KEY_ID };
    return buildContext({
      db: dataApiDatabase(DATA_API_RETRY.api),
      store: createS3Store(bucket),
      signer: createMediaSigner(bucket),
      identity: createCognitoIdentityProvider({
        client: async () =>
          new (await import('@aws-sdk/client-cognito-identity-provider')).CognitoIdentityProviderClient({}),
        clientId: config.USER_POOL_CLIENT_ID,
        userPoolId: config.USER_POOL_ID,
      }),
      verifier: cognitoVerifier(config.USER_POOL_ID, config.USER_POOL_CLIENT_ID),
      workflow: stepFunctionsWorkflow(
        async () => new (await import('@aws-sdk/client-sfn')).SFNClient({}),
        config.STATE_MACHINE_ARN,
      ),
      // One log line per entry; the audit-writer function stores it (shared/audit/line.ts).
      audit: stdoutAuditLog(),
      idempotent: dynamoIdempotency(dynamo, config.IDEMPOTENCY_TABLE),
      loginLimiter: dynamoLoginLimiter(documents, config.RATE_LIMIT_TABLE),
      logger: new StdoutLogger({ serviceName: 'ai-video-api' }),
      hlsLinkKey: secretKey(config.HLS_LINK_SECRET_ARN, 'HLS_LINK_SECRET_ARN'),
      pseudonymKey: secretKey(config.AUDIT_PSEUDONYM_SECRET_ARN, 'AUDIT_PSEUDONYM_SECRET_ARN'),
      accountTasks: config.ACCOUNT_WORKER_FUNCTION
        ? lambdaAccountTasks(
            async () => new (await import('@aws-sdk/client-lambda')).LambdaClient({}),
            config.ACCOUNT_WORKER_FUNCTION,
          )
        : {
            start: () => Promise.reject(new Error('ACCOUNT_WORKER_FUNCTION is not set')),
          },
      ...(config.CAPACITY_TABLE
        ? { capacityQueue: dynamoCapacityStore(documents, config.CAPACITY_TABLE) }
        : {}),
      accountRecords: dynamoAccountRecords(documents, {
        audit: config.AUDIT_TABLE,
        idempotency: config.IDEMPOTENCY_TABLE,
      }),
    });
  },
  { ifUnset: true },
);
