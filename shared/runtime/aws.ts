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
import { dynamoLoginLimiter } from '../auth/login-limiter.ts';
import { cognitoVerifier } from '../auth/verifier.ts';
import { awsRuntimeConfig } from '../config.ts';
import { dynamoIdleMarker } from '../events/idle-marker-dynamodb.ts';
import { StdoutLogger } from '../observability/stdout-logger.ts';
import { tracedClient } from '../observability/tracing.ts';
import { sdkConfig } from '../sdk/sha256.ts';
import { type AwsEnvironment, identity } from './aws-adapters.ts';
import { type Adapters, composeContext, type Feature, setContextFactory } from './context.ts';
import { DATA_API_RETRY, dataApiDatabase } from './database-aws.ts';
import { createOnce } from './once.ts';

/** A feature as a Lambda function composes it: the feature, and the AWS adapters it needs beyond core's. */
export interface AwsFeature {
  feature: Feature;
  adapters?: (env: AwsEnvironment) => Partial<Adapters>;
}

/** Installs the AWS context of this function: core (authentication, audit, log) and the given features. */
export function useAwsContext(...features: AwsFeature[]): void {
  setContextFactory(
    async () => {
      const config = awsRuntimeConfig();
      const dynamo = tracedClient(new DynamoDBClient(sdkConfig()));
      const documents = DynamoDBDocumentClient.from(dynamo);
      const env: AwsEnvironment = { config, dynamo, documents, once: createOnce() };
      const adapters = Object.assign(
        {
          db: dataApiDatabase(DATA_API_RETRY.api),
          ...identity(env),
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
