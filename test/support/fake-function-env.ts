import path from 'node:path';
import { FUNCTION_NODE_ENV } from '#infra/functions.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FAKE_ARN = (service: string, resource: string) =>
  `arn:aws:${service}:eu-west-1:123456789012:${resource}`;

/**
 * What CDK sets on the functions, with fake values: for running a bundle outside Lambda where its
 * initialisation and the requests given to it make no AWS call (the cold start benchmark, bundle tests).
 */
export const FAKE_FUNCTION_ENV: Readonly<Record<string, string>> = {
  ...FUNCTION_NODE_ENV,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake',
  POWERTOOLS_SERVICE_NAME: 'ai-video',
  STAGE: 'dev',
  DB_CLUSTER_ARN: FAKE_ARN('rds', 'cluster:ai-video-dev'),
  DB_SECRET_ARN: FAKE_ARN('secretsmanager', 'secret:ai-video-dev-app'),
  APP_DB_SECRET_ARN: FAKE_ARN('secretsmanager', 'secret:ai-video-dev-app'),
  DB_NAME: 'aivideo',
  MEDIA_BUCKET: 'ai-video-dev-media',
  IDEMPOTENCY_TABLE: 'ai-video-dev-idempotency',
  AUDIT_TABLE: 'ai-video-dev-audit',
  RATE_LIMIT_TABLE: 'ai-video-dev-rate-limit',
  USER_POOL_ID: 'eu-west-1_fake',
  USER_POOL_CLIENT_ID: 'fakeclientid',
  STATE_MACHINE_ARN: FAKE_ARN('states', 'stateMachine:ai-video-dev'),
  HLS_LINK_SECRET_ARN: FAKE_ARN('secretsmanager', 'secret:ai-video-dev-hls'),
  MODEL_OUTPUT_BUCKETS: '{}',
  MIGRATIONS_DIR: path.join(ROOT, 'shared', 'db', 'migrations'),
};
