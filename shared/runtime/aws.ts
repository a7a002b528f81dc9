/**
 * The composition root of the API functions (and the account worker) on AWS: adapters built from the
 * environment CDK sets. A function file calls `useAwsContext` with the features its routes use (each with
 * the AWS adapters it needs beyond the core ones: `awsProjects` and the like, beside each feature in
 * features/), so its bundle carries no other feature's code. The root
 * only installs itself when no other root (the local server) has, and builds nothing until the first request.
 *
 * Every request reads the database, so the RDS Data API client is imported here, and so is DynamoDB's (API
 * keys' failed checks are counted there). S3, Cognito, Step Functions and Secrets Manager serve only some
 * routes: their packages are imported by the factories below on first use, so a function whose routes
 * never reach them never loads them. Audit entries are log lines (shared/audit/line.ts), not requests.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { stdoutAuditLog } from '../audit/line.ts';
import { createCognitoIdentityProvider } from '../auth/cognito.ts';
import { dynamoLoginLimiter } from '../auth/login-limiter.ts';
import { cognitoVerifier } from '../auth/verifier.ts';
import { type AwsRuntimeConfig, awsRuntimeConfig } from '../config.ts';
import { dynamoIdleMarker } from '../events/idle-marker-dynamodb.ts';
import { dynamoIdempotency } from '../idempotency/idempotent.ts';
import { StdoutLogger } from '../observability/stdout-logger.ts';
import { tracedClient } from '../observability/tracing.ts';
import { clientGetter } from '../sdk/lazy-client.ts';
import { createMediaSigner, createS3Store } from '../storage/s3.ts';
import { stepFunctionsWorkflow } from '../workflow/step-functions.ts';
import {
  type Adapters,
  composeContext,
  createOnce,
  type Feature,
  type Once,
  setContextFactory,
} from './context.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';

export interface AwsEnvironment {
  config: AwsRuntimeConfig;
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  once: Once;
}

/** A feature as a Lambda function composes it: the feature, and the AWS adapters it needs beyond core's. */
export interface AwsFeature {
  feature: Feature;
  adapters?: (env: AwsEnvironment) => Partial<Adapters>;
}

const mediaBucket = (env: AwsEnvironment) =>
  env.once('media-bucket', () => ({
    client: clientGetter(async () => new (await import('@aws-sdk/client-s3')).S3Client({})),
    bucket: env.config.MEDIA_BUCKET,
    kmsKeyId: env.config.MEDIA_KMS_KEY_ID,
  }));

export const store = (env: AwsEnvironment) => ({ store: createS3Store(mediaBucket(env)) });
export const signer = (env: AwsEnvironment) => ({ signer: createMediaSigner(mediaBucket(env)) });
export const workflow = (env: AwsEnvironment) => ({
  workflow: stepFunctionsWorkflow(
    async () => new (await import('@aws-sdk/client-sfn')).SFNClient({}),
    env.config.STATE_MACHINE_ARN,
  ),
});
export const idempotent = (env: AwsEnvironment) => ({
  idempotent: dynamoIdempotency(env.dynamo, env.config.IDEMPOTENCY_TABLE),
});
/** Installs the AWS context of this function: core (authentication, audit, log) and the given features. */
export function useAwsContext(...features: AwsFeature[]): void {
  setContextFactory(
    async () => {
      const config = awsRuntimeConfig();
      const dynamo = tracedClient(new DynamoDBClient({}));
      const documents = DynamoDBDocumentClient.from(dynamo);
      const env: AwsEnvironment = { config, dynamo, documents, once: createOnce() };
      const adapters = Object.assign(
        {
          db: dataApiDatabase(DATA_API_RETRY.api),
          identity: createCognitoIdentityProvider({
            client: async () =>
              new (await import('@aws-sdk/client-cognito-identity-provider')).CognitoIdentityProviderClient(
                {},
              ),
            clientId: config.USER_POOL_CLIENT_ID,
            userPoolId: config.USER_POOL_ID,
          }),
          verifier: cognitoVerifier(config.USER_POOL_ID, config.USER_POOL_CLIENT_ID),
          // One log line per entry; the audit-writer function stores it (shared/audit/line.ts).
          audit: stdoutAuditLog(),
          loginLimiter: dynamoLoginLimiter(documents, config.RATE_LIMIT_TABLE),
          idleMarker: dynamoIdleMarker(documents, config.RATE_LIMIT_TABLE),
          logger: new StdoutLogger({ serviceName: 'ai-video-api' }),
        },
        ...features.map((f) => f.adapters?.(env) ?? {}),
      ) as Adapters;
      return composeContext(
        adapters,
        features.map((f) => f.feature),
      );
    },
    { ifUnset: true },
  );
}
