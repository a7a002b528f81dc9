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
import { createLocalVideoModel } from '#shared/generation/local.ts';
import { dynamoIdempotency } from '#shared/idempotency/idempotent.ts';
import { createPipelineTasks } from '#shared/pipeline/tasks.ts';
import { type AppContext, buildContext, setContextFactory } from '#shared/runtime/context.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import type { JobWorkflow } from '#shared/workflow/port.ts';
import { startLocalDynamo } from './dynamo.ts';
import { startLocalS3 } from './s3.ts';
import { createLocalWorkflow } from './workflow.ts';

/**
 * Jobs a previous run left behind: QUEUED ones start now; PROCESSING ones lost their in-process execution
 * and end FAILED with a message (their partial artifacts are removed).
 */
async function resumeJobs(ctx: AppContext): Promise<void> {
  for (const job of await ctx.jobs.listActive()) {
    const input = { jobId: job.id, userId: job.userId, projectId: job.projectId, jobType: job.jobType };
    if (job.status === 'QUEUED') await ctx.workflow.start(input);
    else {
      await createPipelineTasks({
        jobs: ctx.jobs,
        clips: ctx.clips,
        store: ctx.store,
        models: {},
      }).markFailed({
        ...input,
        error: {
          Error: 'Interrupted',
          Cause: 'The local server stopped while this job ran; submit it again.',
        },
      });
    }
  }
}

export interface LocalEnvironmentOptions {
  /** Where data survives restarts; a temporary folder (removed on stop) when absent. */
  dataDir?: string;
  /** The public base URL of the local API (the token issuer). */
  issuer: string;
  /** Use this PostgreSQL server instead of PGlite. */
  databaseUrl?: string;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Milliseconds between polls of the video model in the local state machine. */
  pollMs?: number;
}

export interface LocalEnvironment {
  ctx: AppContext;
  db: DatabaseHandle;
  s3Endpoint: string;
  jwks: { keys: object[] };
  /** Resolves when no job is running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

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
  // The workflow needs the repositories the context builds; it is bound right after.
  let local: ReturnType<typeof createLocalWorkflow> | undefined;
  const workflow: JobWorkflow = {
    start: (input) => local!.start(input),
    stop: (jobId, cause) => local!.stop(jobId, cause),
  };
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
    workflow,
    audit: dynamoAuditLog(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.audit),
    idempotent: dynamoIdempotency(dynamo.client, dynamo.tables.idempotency),
    loginLimiter: new LoginLimiter(),
    logger: new Logger({ serviceName: 'ai-video-local', logLevel: options.logLevel ?? 'WARN' }),
    jwks,
  });
  const store = ctx.store;
  const tasks = createPipelineTasks({
    jobs: ctx.jobs,
    clips: ctx.clips,
    store,
    models: { local: createLocalVideoModel(store) },
  });
  local = createLocalWorkflow({
    tasks,
    store,
    jobs: ctx.jobs,
    pollMs: options.pollMs ?? 500,
    onError: (jobId, error) => ctx.logger.error('job execution failed', { jobId, error: error as Error }),
  });
  setContextFactory(async () => ctx);
  await resumeJobs(ctx);
  return {
    ctx,
    db,
    s3Endpoint: s3.endpoint,
    jwks,
    idle: () => local!.idle(),
    async stop() {
      await local!.idle();
      await s3.stop();
      await dynamo.stop();
      await db.close();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}
