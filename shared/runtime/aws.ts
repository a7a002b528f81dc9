/**
 * The composition root of every API function: AWS adapters built from the environment CDK sets. It only
 * installs itself when no other root (the local server) has, and builds nothing until the first request.
 *
 * Every request reads the database and writes an audit entry, so the RDS Data API and DynamoDB clients are
 * imported here. S3, Cognito, Step Functions and Secrets Manager serve only some routes: their packages are
 * imported by the factories below on first use, so a function whose routes never reach them never loads them.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAccountRecords } from '../account/dynamo-records.ts';
import { lambdaAccountTasks } from '../account/lambda-runner.ts';
import { dynamoAuditLog } from '../audit/dynamodb.ts';
import { createCognitoIdentityProvider } from '../auth/cognito.ts';
import { dynamoLoginLimiter } from '../auth/login-limiter.ts';
import { cognitoVerifier } from '../auth/verifier.ts';
import { dynamoCapacityStore } from '../capacity/dynamodb-store.ts';
import { awsRuntimeConfig } from '../config.ts';
import { dynamoIdempotency } from '../idempotency/idempotent.ts';
import { tracedClient } from '../observability/tracing.ts';
import { clientGetter } from '../sdk/lazy-client.ts';
import { createMediaSigner, createS3Store } from '../storage/s3.ts';
import { stepFunctionsWorkflow } from '../workflow/step-functions.ts';
import { buildContext, setContextFactory } from './context.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';

/** A key kept in Secrets Manager, fetched on first use and kept for the life of the container. */
function secretKey(secretArn: string | undefined, name: string): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | undefined;
  return () => {
    if (!secretArn) return Promise.reject(new Error(`${name} is not set`));
    key ??= import('@aws-sdk/client-secrets-manager')
      .then(({ GetSecretValueCommand, SecretsManagerClient }) =>
        tracedClient(new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretArn })),
      )
      .then((out) => Buffer.from(out.SecretString ?? '', 'utf8'))
      .catch((error: unknown) => {
        key = undefined;
        throw error;
      });
    return key;
  };
}

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
      audit: dynamoAuditLog(documents, config.AUDIT_TABLE),
      idempotent: dynamoIdempotency(dynamo, config.IDEMPOTENCY_TABLE),
      loginLimiter: dynamoLoginLimiter(documents, config.RATE_LIMIT_TABLE),
      logger: new Logger({ serviceName: 'ai-video-api' }),
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
