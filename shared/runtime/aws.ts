/**
 * The composition root of every Lambda function: AWS adapters built from the environment CDK sets. It only
 * installs itself when no other root (the local server) has, and builds nothing until the first request.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAuditLog } from '../audit/dynamodb.ts';
import { createCognitoIdentityProvider } from '../auth/cognito.ts';
import { dynamoLoginLimiter } from '../auth/login-limiter.ts';
import { cognitoVerifier } from '../auth/verifier.ts';
import { awsRuntimeConfig } from '../config.ts';
import { dynamoIdempotency } from '../idempotency/idempotent.ts';
import { createMediaSigner, createS3Store } from '../storage/s3.ts';
import { stepFunctionsWorkflow } from '../workflow/step-functions.ts';
import { buildContext, setContextFactory } from './context.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';

/** A key kept in Secrets Manager, fetched on first use and kept for the life of the container. */
function secretKey(secretArn: string | undefined): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | undefined;
  return () => {
    if (!secretArn) return Promise.reject(new Error('HLS_LINK_SECRET_ARN is not set'));
    key ??= new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: secretArn }))
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
    const dynamo = new DynamoDBClient({});
    const documents = DynamoDBDocumentClient.from(dynamo);
    const s3 = new S3Client({});
    const bucket = { client: s3, bucket: config.MEDIA_BUCKET, kmsKeyId: config.MEDIA_KMS_KEY_ID };
    return buildContext({
      db: dataApiDatabase(DATA_API_RETRY.api),
      store: createS3Store(bucket),
      signer: createMediaSigner(bucket),
      identity: createCognitoIdentityProvider({
        client: new CognitoIdentityProviderClient({}),
        clientId: config.USER_POOL_CLIENT_ID,
      }),
      verifier: cognitoVerifier(config.USER_POOL_ID, config.USER_POOL_CLIENT_ID),
      workflow: stepFunctionsWorkflow(new SFNClient({}), config.STATE_MACHINE_ARN),
      audit: dynamoAuditLog(documents, config.AUDIT_TABLE),
      idempotent: dynamoIdempotency(dynamo, config.IDEMPOTENCY_TABLE),
      loginLimiter: dynamoLoginLimiter(documents, config.RATE_LIMIT_TABLE),
      logger: new Logger({ serviceName: 'ai-video-api' }),
      hlsLinkKey: secretKey(config.HLS_LINK_SECRET_ARN),
    });
  },
  { ifUnset: true },
);
