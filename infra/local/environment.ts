/**
 * The embedded environment behind `npm start` and the end-to-end tests: PGlite (or DATABASE_URL), s3rver,
 * dynalite and the local token issuer, wired into the same application context the Lambda functions use.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAuditLog } from '#shared/audit/dynamodb.ts';
import { createLocalIdentityProvider, jwksOf, loadOrCreateSigningKey } from '#shared/auth/local-issuer.ts';
import { LoginLimiter } from '#shared/auth/login-limiter.ts';
import { localVerifier } from '#shared/auth/verifier.ts';
import type { DatabaseHandle } from '#shared/db/database.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate } from '#shared/db/migrate.ts';
import { dynamoIdempotency } from '#shared/idempotency/idempotent.ts';
import { type AppContext, buildContext, setContextFactory } from '#shared/runtime/context.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import type { JobWorkflow } from '#shared/workflow/port.ts';
import { startLocalDynamo } from './dynamo.ts';
import { startLocalS3 } from './s3.ts';

export interface LocalEnvironmentOptions {
  /** Where data survives restarts; a temporary folder (removed on stop) when absent. */
  dataDir?: string;
  /** The public base URL of the local API (the token issuer). */
  issuer: string;
  /** Use this PostgreSQL server instead of PGlite. */
  databaseUrl?: string;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Runs jobs; until the pipeline is wired, submitted jobs stay QUEUED. */
  workflow?: JobWorkflow;
}

export interface LocalEnvironment {
  ctx: AppContext;
  db: DatabaseHandle;
  s3Endpoint: string;
  jwks: { keys: object[] };
  stop(): Promise<void>;
}

const idleWorkflow: JobWorkflow = { start: async () => undefined, stop: async () => undefined };

export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const temporary = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'ai-video-'));
  const dataDir = options.dataDir ?? temporary!;
  await mkdir(dataDir, { recursive: true });
  const db = options.databaseUrl
    ? openNodePostgres({ url: options.databaseUrl })
    : await openPglite(options.dataDir ? { dataDir: path.join(dataDir, 'pg') } : {});
  await migrate(db.db);
  const s3 = await startLocalS3({ directory: path.join(dataDir, 's3'), bucket: 'media' });
  const dynamo = await startLocalDynamo(options.dataDir ? { path: path.join(dataDir, 'dynamo') } : {});
  const key = await loadOrCreateSigningKey(path.join(dataDir, 'keys'));
  const jwks = await jwksOf(key);
  const bucket = { client: s3.client, bucket: s3.bucket };
  const ctx = buildContext({
    db: db.db,
    store: createS3Store(bucket),
    signer: createMediaSigner(bucket),
    identity: createLocalIdentityProvider({
      users: createUserRepository(db.db),
      key,
      issuer: options.issuer,
    }),
    verifier: localVerifier(options.issuer, jwks),
    workflow: options.workflow ?? idleWorkflow,
    audit: dynamoAuditLog(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.audit),
    idempotent: dynamoIdempotency(dynamo.client, dynamo.tables.idempotency),
    loginLimiter: new LoginLimiter(),
    logger: new Logger({ serviceName: 'ai-video-local', logLevel: options.logLevel ?? 'WARN' }),
    jwks,
  });
  setContextFactory(async () => ctx);
  return {
    ctx,
    db,
    s3Endpoint: s3.endpoint,
    jwks,
    async stop() {
      await s3.stop();
      await dynamo.stop();
      await db.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
