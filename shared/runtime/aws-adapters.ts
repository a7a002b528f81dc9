/**
 * The AWS adapters the composition roots share (shared/runtime/aws.ts for the API functions,
 * account-worker-aws.ts for the account worker): each built from the environment CDK sets, its SDK package
 * imported on first use.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createCognitoIdentityProvider } from '../auth/cognito.ts';
import type { AwsRuntimeConfig } from '../config.ts';
import { dynamoIdempotency } from '../idempotency/idempotent.ts';
import { clientGetter } from '../sdk/lazy-client.ts';
import { sdkConfig } from '../sdk/sha256.ts';
import { createMediaSigner, createS3Store } from '../storage/s3.ts';
import { stepFunctionsWorkflow } from '../workflow/step-functions.ts';
import type { Once } from './once.ts';

export interface AwsEnvironment {
  config: AwsRuntimeConfig;
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  once: Once;
}

const mediaBucket = (env: AwsEnvironment) =>
  env.once('media-bucket', () => ({
    client: clientGetter(async () => new (await import('@aws-sdk/client-s3')).S3Client(sdkConfig())),
    bucket: env.config.MEDIA_BUCKET,
    kmsKeyId: env.config.MEDIA_KMS_KEY_ID,
  }));

export const store = (env: AwsEnvironment) => ({ store: createS3Store(mediaBucket(env)) });
export const signer = (env: AwsEnvironment) => ({ signer: createMediaSigner(mediaBucket(env)) });
export const workflow = (env: AwsEnvironment) => ({
  workflow: stepFunctionsWorkflow(
    async () => new (await import('@aws-sdk/client-sfn')).SFNClient(sdkConfig()),
    env.config.STATE_MACHINE_ARN,
  ),
});
export const idempotent = (env: AwsEnvironment) => ({
  idempotent: dynamoIdempotency(env.dynamo, env.config.IDEMPOTENCY_TABLE),
});
export const identity = (env: AwsEnvironment) => ({
  identity: createCognitoIdentityProvider({
    client: async () =>
      new (await import('@aws-sdk/client-cognito-identity-provider')).CognitoIdentityProviderClient(
        sdkConfig(),
      ),
    clientId: env.config.USER_POOL_CLIENT_ID,
    userPoolId: env.config.USER_POOL_ID,
  }),
});
