/**
 * The embedded environment behind `npm start` and the end-to-end tests: PGlite (or DATABASE_URL), s3rver,
 * dynalite and the local token issuer, wired into the same application context the Lambda functions use.
 */

import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoAccountRecords } from '#shared/account/dynamo-records.ts';
import { runAccountTask } from '#shared/account/worker.ts';
import { lineAuditLog } from '#shared/audit/line.ts';
import { createAuditWriter } from '#shared/audit/writer.ts';
import {
  createLocalIdentityProvider,
  jwksOf,
  LOCAL_CLIENT_ID,
  type LocalIdentityProvider,
  loadOrCreateSigningKey,
} from '#shared/auth/local-issuer.ts';
import { DEFAULT_RATE_LIMITS, dynamoLoginLimiter, type RateLimits } from '#shared/auth/login-limiter.ts';
import { localVerifier } from '#shared/auth/verifier.ts';
import { type CapacityEvent, createAdmission } from '#shared/capacity/admission.ts';
import { dynamoCapacityStore } from '#shared/capacity/dynamodb-store.ts';
import { capacityFromEnv } from '#shared/capacity/limits.ts';
import type { CapacityStore } from '#shared/capacity/store.ts';
import type { DatabaseHandle, StatementCounter } from '#shared/db/database.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { loggableError } from '#shared/db/errors.ts';
import { migrate } from '#shared/db/migrate.ts';
import { wakingBefore } from '#shared/events/idle-marker.ts';
import { dynamoIdleMarker } from '#shared/events/idle-marker-dynamodb.ts';
import { dynamoStreamSlots } from '#shared/events/stream-slots.ts';
import { createLocalVideoModel, type LocalVideoModel } from '#shared/generation/local.ts';
import type { VideoModelId } from '#shared/generation/models.ts';
import type { VideoModel } from '#shared/generation/port.ts';
import { dynamoIdempotency } from '#shared/idempotency/idempotent.ts';
import { stopFfmpegProcesses } from '#shared/media/ffmpeg.ts';
import { localProber } from '#shared/media/local-prober.ts';
import { startSpawner } from '#shared/media/spawner.ts';
import { setMetricsSink } from '#shared/observability/metrics.ts';
import { createGenerationWaits, parseOutputKey } from '#shared/pipeline/generation-wait.ts';
import { createStuckStartSweep, restingStuckStartSweep } from '#shared/pipeline/stuck-starts.ts';
import { createPipelineTasks, type PipelineTasks } from '#shared/pipeline/tasks.ts';
import { type AppContext, setContextFactory } from '#shared/runtime/context.ts';
import { buildContext } from '#shared/runtime/features/all.ts';
import type { ObjectStore } from '#shared/storage/port.ts';
import { createGetPresigner } from '#shared/storage/presign-get.ts';
import { createMediaSigner, createS3Store } from '#shared/storage/s3.ts';
import { createUploadIngest, type UploadIngest } from '#shared/uploads/ingest.ts';
import { createUserRepository } from '#shared/users/repository.ts';
import { createDeliveryQueue } from '#shared/webhooks/deliveries.ts';
import { createDeliverer, createDispatcher } from '#shared/webhooks/dispatcher.ts';
import type { OutcomeListener } from '#shared/webhooks/outcomes.ts';
import { retryDelaysFromEnv } from '#shared/webhooks/retry-schedule.ts';
import { dynamoWebhookSendLimiter } from '#shared/webhooks/send-limiter.ts';
import type { HostResolver } from '#shared/webhooks/service.ts';
import type { Resolver, TargetPolicy } from '#shared/webhooks/ssrf.ts';
import type { ExecutionLookup, JobWorkflow } from '#shared/workflow/port.ts';
import { localAccountTasks, readAccountTasks } from './account-tasks.ts';
import { localAuditSubscription } from './audit-subscription.ts';
import { openPart } from './data-dir-damage.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { claimDatabase } from './database-claim.ts';
import { listenForDeliveries } from './delivery-wakeups.ts';
import { startLocalDynamo } from './dynamo.ts';
import { removeLeftovers } from './leftovers.ts';
import { startLocalS3 } from './s3.ts';
import { ingestWithRetries } from './upload-trigger.ts';
import {
  type BeforeTask,
  createLocalWorkflow,
  INTERRUPTED_CAUSE,
  type LocalWorkflowOptions,
} from './workflow.ts';

/**
 * Jobs a previous run left behind: QUEUED ones start now; PROCESSING ones lost their in-process execution
 * and end FAILED with a message (their partial artifacts are removed).
 */
async function resumeJobs(ctx: AppContext, tasks: PipelineTasks, uploads: UploadIngest): Promise<void> {
  const waiting = new Set<string>();
  for (const job of await ctx.jobs.listActive()) {
    const input = { jobId: job.id, userId: job.userId, projectId: job.projectId, jobType: job.jobType };
    if (job.status === 'QUEUED' && !job.admitted) waiting.add(job.userId);
    else if (job.status === 'QUEUED') await ctx.workflow.start(input);
    else {
      await tasks.markFailed({
        ...input,
        error: {
          Error: 'Interrupted',
          Cause: INTERRUPTED_CAUSE,
        },
      });
      waiting.add(job.userId);
    }
  }
  // Uploads that waited for a slot, and slots the failed jobs just gave back.
  for (const userId of waiting) await uploads.startWaiting(userId);
}

/**
 * s3rver on the port it had last time when it is free: presigned POSTs and media links handed out before a
 * restart point at it, so an upload cut off by a crash can be sent again with the same POST.
 */
async function startS3OnItsPort<T extends { endpoint: string }>(
  dataDir: string,
  keep: boolean,
  start: (port: number) => Promise<T>,
): Promise<T> {
  if (!keep) return start(0);
  const file = path.join(dataDir, 's3-port');
  const last = Number(await readFile(file, 'utf8').catch(() => '0'));
  // s3rver reports a port in use only as an 'error' event (its run() then never settles): tried first.
  const usable = Number.isInteger(last) && last > 0 && last < 65536 && (await portIsFree(last));
  const s3 = await start(usable ? last : 0);
  await writeFile(file, new URL(s3.endpoint).port);
  return s3;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A 32-byte key kept in `dir/name` (created on first use), so what it derives survives restarts. */
async function loadOrCreateKey(dir: string, name: string): Promise<Uint8Array> {
  const file = path.join(dir, name);
  const existing = await readFile(file).catch(() => undefined);
  if (existing?.length === 32) return existing;
  const key = randomBytes(32);
  await mkdir(dir, { recursive: true });
  await writeFile(file, key, { mode: 0o600 });
  return key;
}

export interface LocalEnvironmentOptions {
  /** Where data survives restarts; a temporary folder (removed on stop) when absent. */
  dataDir?: string;
  /** The public base URL of the local API (the token issuer). */
  issuer: string;
  /** Use this PostgreSQL server instead of PGlite. */
  databaseUrl?: string;
  /**
   * Where this process's temporary files go (`npm start` points TMPDIR there): emptied at start, once the
   * data directory is locked, of what a killed server's renders and transcodes left.
   */
  scratchDir?: string;
  /**
   * Refuse a databaseUrl another environment holds (`npm start`; tests share one database between files).
   */
  claimDatabase?: boolean;
  /** Sees every SQL statement the environment sends (the pipeline benchmark counts them per job). */
  statements?: StatementCounter;
  /**
   * A dump of an already migrated PGlite data directory that a new PGlite database starts from (tests:
   * it saves initdb); unused when the data directory already holds a database.
   */
  pgliteTemplate?: Blob;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Takes the environment's log lines instead of a Powertools logger at logLevel (tests keep them). */
  logger?: Logger;
  /** Short waits of the local state machine (it waits 32 × pollMs for a model's output, 240 s on AWS). */
  pollMs?: number;
  /**
   * Whether a model output's ObjectCreated event resumes its job (true by default); without it, only the
   * safety-net poll does, as on AWS when an event is lost.
   */
  modelOutputEvents?: boolean;
  /** Replaces or adds video models (tests inject failing ones); each one plugged in is enabled. */
  models?: Record<string, VideoModel>;
  /** Today, as model end-of-life dates see it (tests move it). */
  now?: () => Date;
  /** Runs before every Task state of the local state machine; throwing fails that task (fault injection). */
  beforeTask?: BeforeTask;
  /** Sees every execution event (the cost benchmark counts transitions and invocations). */
  onEvent?: LocalWorkflowOptions['onEvent'];
  /** Sign-in and sign-up budgets; AWS's defaults when absent. */
  rateLimits?: Partial<RateLimits>;
  /** Origins the media bucket's CORS rule allows (as the API server's); localhost and 127.0.0.1 when absent. */
  corsOrigins?: readonly string[];
  /**
   * Receives every metric line (CloudWatch EMF, as deployed functions write them). Without it they are
   * printed to stdout when logLevel is DEBUG, and dropped otherwise.
   */
  onMetric?: (line: string) => void;
  /** How long audit lines gather before they are stored (20 ms unless a test holds them back). */
  auditBatchWindowMs?: number;
  /**
   * Model capacity (admission control): units per model and lease length, LOCAL_MODEL_CAPACITY and
   * LOCAL_MODEL_LEASE_SECONDS or the registry's when absent; how often the sweeper runs (the deployed one
   * runs every minute); and a listener of grants and releases (tests measure idle units with it).
   */
  capacity?: {
    units?: Partial<Record<string, number>>;
    leaseMs?: Partial<Record<string, number>>;
    sweepMs?: number;
    onEvent?: (event: CapacityEvent) => void;
    /** The local model renders at the clip's own pace (a generation takes as long as its video). */
    realtimeRenders?: boolean;
  };
  /**
   * The sweep that starts again admitted jobs left QUEUED without an execution (stuck-starts.ts): how
   * often it runs (every minute, as deployed), how old a QUEUED job must be (5 minutes), and how long a
   * job may stay PROCESSING (the execution timeout and a margin).
   */
  stuckStarts?: { everyMs?: number; afterMs?: number; overrunAfterMs?: number };
  /** Webhook delivery: `local` targets (loopback allowed) unless a test asks for the deployed policy. */
  webhooks?: {
    policy?: TargetPolicy;
    resolveHost?: HostResolver;
    resolve?: Resolver;
    retryDelaysMs?: readonly number[];
    timeoutMs?: number;
    pollMs?: number;
    onOutcome?: OutcomeListener;
  };
}

export interface LocalEnvironment {
  ctx: AppContext;
  db: DatabaseHandle;
  s3Endpoint: string;
  /** The DynamoDB stand-in's client and tables (audit, idempotency, rate limits). */
  dynamo: {
    client: DynamoDBClient;
    tables: { idempotency: string; audit: string; rateLimit: string; capacity: string };
  };
  /** The model capacity store (in dynalite), and the local model (its renders in flight). */
  capacity: CapacityStore;
  localModel: LocalVideoModel;
  jwks: { keys: object[] };
  /** The local issuer, for what a user does with Cognito directly (changing the email). */
  identity: LocalIdentityProvider;
  /** Resolves when no job is running and no upload event is being handled. */
  idle(): Promise<void>;
  /** Stores every audit line written so far (they otherwise leave in batches, a few milliseconds later). */
  flushAudit(): Promise<void>;
  /** For tests: the job's execution ends as by a crash, with no cleanup (its onEnded still runs). */
  crashExecution(jobId: string): Promise<void>;
  stop(): Promise<void>;
  /** For Ctrl+C: interrupts running jobs (FAILED, "interrupted") and ends their ffmpeg, then stops. */
  shutdown(): Promise<void>;
}

export async function startLocalEnvironment(options: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const metricSink =
    options.onMetric ??
    (options.logLevel === 'DEBUG' ? (line: string) => process.stdout.write(`${line}\n`) : undefined);
  setMetricsSink(metricSink);
  // ffmpeg's launcher starts while the process is still small (its own fork is the last costly one).
  startSpawner();
  const temporary = options.dataDir ? undefined : await mkdtemp(path.join(os.tmpdir(), 'ai-video-'));
  const dataDir = options.dataDir ?? temporary!;
  await mkdir(dataDir, { recursive: true });
  const dataDirLock = options.dataDir ? await lockDataDir(dataDir) : undefined;
  const databaseClaim =
    options.databaseUrl && options.claimDatabase
      ? await claimDatabase(options.databaseUrl).catch(async (error: unknown) => {
          await dataDirLock?.release();
          throw error;
        })
      : undefined;
  if (options.scratchDir) {
    await rm(options.scratchDir, { recursive: true, force: true });
    await mkdir(options.scratchDir, { recursive: true });
  }
  const lock = {
    async release() {
      await databaseClaim?.release();
      await dataDirLock?.release();
    },
  };
  try {
    return await startOn(dataDir, temporary, lock, options);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startOn(
  dataDir: string,
  temporary: string | undefined,
  lock: { release(): Promise<void> },
  options: LocalEnvironmentOptions,
): Promise<LocalEnvironment> {
  // The files first: a damaged one is reported before any stand-in opens (and would have to be closed).
  const keys = path.join(dataDir, 'keys');
  const key = await openPart('The token signing key', path.join(keys, 'signing-key.pem'), dataDir, () =>
    loadOrCreateSigningKey(keys),
  );
  const tasksFile = path.join(dataDir, 'account-tasks.json');
  await openPart('The list of account tasks', tasksFile, dataDir, () => readAccountTasks(tasksFile));
  const counter = options.statements ? { counter: options.statements } : {};
  const pgDir = options.dataDir ? path.join(dataDir, 'pg') : undefined;
  const existing = pgDir
    ? await access(path.join(pgDir, 'PG_VERSION')).then(
        () => true,
        () => false,
      )
    : false;
  const db = options.databaseUrl
    ? openNodePostgres({ url: options.databaseUrl, ...counter })
    : await openPart('The embedded database', pgDir ?? 'memory', dataDir, () =>
        openPglite({
          ...counter,
          ...(pgDir ? { dataDir: pgDir } : {}),
          ...(options.pgliteTemplate && !existing ? { template: options.pgliteTemplate } : {}),
        }),
      );
  await migrate(db.db);
  const s3 = await startS3OnItsPort(dataDir, options.dataDir !== undefined, (port) =>
    startLocalS3({
      directory: path.join(dataDir, 's3'),
      bucket: 'media',
      port,
      ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    }),
  );
  const dynamo = await startLocalDynamo(options.dataDir ? { path: path.join(dataDir, 'dynamo') } : {});
  const jwks = await jwksOf(key);
  const bucket = { client: s3.client, bucket: s3.bucket };
  // Links to HLS playlists outlive no restart, which is fine for links that last an hour.
  const hlsKey = randomBytes(32);
  const pseudonymKey = await loadOrCreateKey(keys, 'audit-pseudonym.key');
  // Account tasks (exports, erasure) run in the background of this process, as the worker function would.
  const accountTasks = localAccountTasks({
    file: tasksFile,
    run: (task) => runAccountTask(ctx, task),
    onFailed: (task, error) =>
      ctx.logger.error('account task failed', { kind: task.kind, error: loggableError(error) }),
  });
  // Audit lines reach the table as they do deployed, through the audit writer, off the request path.
  const audit = localAuditSubscription(
    createAuditWriter({
      client: DynamoDBDocumentClient.from(dynamo.client),
      table: dynamo.tables.audit,
      pseudonymKey: async () => pseudonymKey,
    }),
    {
      ...(options.auditBatchWindowMs !== undefined ? { batchWindowMs: options.auditBatchWindowMs } : {}),
      onError: (error, lost) =>
        ctx.logger.error('audit lines not stored', { lost, error: loggableError(error) }),
    },
  );
  // As deployed: the webhook relay's and the stuck-start sweep's rest, in the rate limit table.
  const idleMarker = dynamoIdleMarker(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.rateLimit);
  const capacityStore = dynamoCapacityStore(
    DynamoDBDocumentClient.from(dynamo.client),
    dynamo.tables.capacity,
  );
  const capacity = capacityFromEnv();
  const unitsOf = (model: string) =>
    options.capacity?.units?.[model] ?? capacity[model as VideoModelId]?.units ?? 1;
  const leaseMsOf = (model: string) =>
    options.capacity?.leaseMs?.[model] ?? capacity[model as VideoModelId]?.leaseMs ?? 600_000;
  // The workflow needs the repositories the context builds; it is bound right after.
  let local: ReturnType<typeof createLocalWorkflow> | undefined;
  const workflow: JobWorkflow & ExecutionLookup = {
    start: (input) => local!.start(input),
    stop: (jobId, cause) => local!.stop(jobId, cause),
    executionState: (jobId) => local!.executionState(jobId),
  };
  const identity = createLocalIdentityProvider({
    users: createUserRepository(db.db),
    key,
    issuer: options.issuer,
    erasedFile: path.join(dataDir, 'keys', 'erased-accounts.json'),
    emailsFile: path.join(dataDir, 'keys', 'changed-emails.json'),
  });
  const ctx = buildContext({
    db: db.db,
    store: createS3Store(bucket),
    signer: createMediaSigner(bucket),
    identity,
    verifier: localVerifier(options.issuer, jwks, LOCAL_CLIENT_ID),
    workflow,
    audit: lineAuditLog(audit.deliver),
    idempotent: dynamoIdempotency(dynamo.client, dynamo.tables.idempotency),
    loginLimiter: dynamoLoginLimiter(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.rateLimit, {
      ...DEFAULT_RATE_LIMITS,
      ...options.rateLimits,
    }),
    streamSlots: dynamoStreamSlots(DynamoDBDocumentClient.from(dynamo.client), dynamo.tables.rateLimit),
    webhookSends: dynamoWebhookSendLimiter(
      DynamoDBDocumentClient.from(dynamo.client),
      dynamo.tables.rateLimit,
    ),
    logger:
      options.logger ?? new Logger({ serviceName: 'ai-video-local', logLevel: options.logLevel ?? 'WARN' }),
    jwks,
    hlsLinkKey: async () => hlsKey,
    pseudonymKey: async () => pseudonymKey,
    accountTasks: accountTasks.runner,
    accountRecords: dynamoAccountRecords(DynamoDBDocumentClient.from(dynamo.client), {
      audit: dynamo.tables.audit,
      idempotency: dynamo.tables.idempotency,
    }),
    // The stand-in, plus whatever models a caller plugs in (tests script Bedrock ones).
    enabledModels: ['local', ...Object.keys(options.models ?? {})],
    ...(options.now ? { now: options.now } : {}),
    capacityQueue: capacityStore,
    idleMarker,
    webhookPolicy: options.webhooks?.policy ?? 'local',
    ...(options.webhooks?.resolveHost ? { resolveHost: options.webhooks.resolveHost } : {}),
  });
  const store = ctx.store;
  // Deployed, a relay and a queue-driven sender split this loop (functions/events/webhook-*.ts).
  const deliveries = createDeliveryQueue(db.db);
  const webhookSender = createDispatcher(
    deliveries,
    createDeliverer(deliveries, {
      policy: ctx.webhookPolicy,
      retryDelaysMs: options.webhooks?.retryDelaysMs ?? retryDelaysFromEnv(),
      ...(options.webhooks?.timeoutMs ? { timeoutMs: options.webhooks.timeoutMs } : {}),
      ...(options.webhooks?.resolve ? { resolve: options.webhooks.resolve } : {}),
      onOutcome: (report) => {
        ctx.logger.info('webhook attempt', { ...report });
        options.webhooks?.onOutcome?.(report);
      },
    }),
    {
      // New deliveries wake the sender on commit (delivery-wakeups.ts); a look once a second, as the
      // deployed relay's, finds retries that fall due and anything a lost wake-up missed.
      pollMs: options.webhooks?.pollMs ?? 1_000,
      onError: (error) => ctx.logger.error('webhook sender', { error: loggableError(error) }),
    },
  );
  // What the stand-ins for Bedrock and MediaConvert write goes straight into the S3 stand-in (see storeFile).
  const standInStore: ObjectStore = { ...store, putFile: (key, file, type) => s3.storeFile(key, file, type) };
  const localModel = createLocalVideoModel(
    standInStore,
    (jobId, error) => ctx.logger.warn('local render failed', { jobId, error: loggableError(error) }),
    // As Bedrock refuses starts past the account's quota.
    { quota: unitsOf('local'), ...(options.capacity?.realtimeRenders ? { realtime: true } : {}) },
  );
  const admission = createAdmission({
    store: capacityStore,
    tokens: {
      succeed: (token, output) => local!.tokens.succeed(token, output),
      waiting: (token) => local!.tokens.waiting(token),
    },
    capacityOf: unitsOf,
    leaseMsOf,
    ...(options.capacity?.onEvent ? { onEvent: options.capacity.onEvent } : {}),
  });
  const tasks = createPipelineTasks({
    users: ctx.users,
    jobs: ctx.jobs,
    clips: ctx.clips,
    store,
    prober: localProber(store),
    models: { local: localModel, ...options.models },
    logger: ctx.logger,
    admission,
    waits: createGenerationWaits(db.db),
    tokens: { succeed: (token, output) => local!.tokens.succeed(token, output) },
  });
  const uploads = createUploadIngest({
    users: ctx.users,
    jobs: wakingBefore(idleMarker, ctx.jobs, ['create', 'recordFailed']),
    reservations: ctx.reservations,
    store,
    workflow,
  });
  // The transcode reads its inputs over signed links, as MediaConvert reads S3 itself; a day outlasts any
  // local transcode that might reconnect.
  let presigner: Promise<(key: string, expiresIn: number) => Promise<string>> | undefined;
  const readUrl = async (key: string) => {
    presigner ??= createGetPresigner(s3.client, s3.bucket);
    return (await presigner)(key, 86_400);
  };
  local = createLocalWorkflow({
    tasks,
    store: standInStore,
    readUrl,
    jobs: ctx.jobs,
    pollMs: options.pollMs ?? 500,
    ...(options.beforeTask ? { beforeTask: options.beforeTask } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    onError: (jobId, error) =>
      ctx.logger.error('job execution failed', { jobId, error: loggableError(error) }),
    onEnded: (input) => uploads.startWaiting(input.userId),
  });
  setContextFactory(async () => ctx);
  const ingesting = new Set<Promise<unknown>>();
  // As functions/events/upload-created.ts does on AWS (one invocation per event, retried).
  const uploadCreated = (key: string, size: number) => {
    const work = ingestWithRetries(
      () => uploads.ingest(key, size),
      () => uploads.abandon(key, size),
      (error, attempt) =>
        ctx.logger.error('upload not processed', { key, attempt, error: loggableError(error) }),
    )
      .catch((error: unknown) =>
        ctx.logger.error('upload not abandoned', { key, error: loggableError(error) }),
      )
      .finally(() => ingesting.delete(work));
    ingesting.add(work);
  };
  s3.onObjectCreated((event) => {
    for (const record of event.Records) {
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const size = record.s3.object.size;
      const output = parseOutputKey(key);
      if (output) {
        options.onEvent?.(output.jobId, { type: 'ModelOutputLanded' });
        if (options.modelOutputEvents === false) continue;
        // As functions/events/model-output-created.ts does on AWS (one invocation per event).
        options.onEvent?.(output.jobId, { type: 'ModelOutputEvent' });
        const work = tasks
          .generationOutputCreated(record.s3.bucket.name, key)
          .catch((error: unknown) =>
            ctx.logger.error('model output not handed over', { key, error: loggableError(error) }),
          )
          .finally(() => ingesting.delete(work));
        ingesting.add(work);
        continue;
      }
      uploadCreated(key, size);
    }
  });
  await resumeJobs(ctx, tasks, uploads);
  // An upload's event dies with the process: a file that landed just before a crash would stay awaiting
  // its job for good. Every file in uploads/ is handled again, as a repeated event is (a file whose job
  // ended is deleted, a job waiting for its start is started, one without a job gets it).
  for (const { key, size } of await store.list('uploads/')) uploadCreated(key, size);
  const leftovers = await removeLeftovers(db.db, store);
  if (leftovers.length) ctx.logger.warn('removed what a crash left of ended jobs', { leftovers });
  await accountTasks.resume();
  webhookSender.start();
  const stopWakeups = await listenForDeliveries(
    'client' in db ? db : { url: options.databaseUrl! },
    () => webhookSender.nudge(),
    { logger: ctx.logger },
  );
  // The sweeper (an EventBridge schedule deployed): expired leases come back, free units go to waiters.
  const sweepModels = ['local', ...Object.keys(options.models ?? {})];
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweeper = setInterval(() => {
    sweeping = Promise.all(sweepModels.map((m) => admission.sweep(m))).catch((error: unknown) =>
      ctx.logger.error('capacity sweep failed', { error: loggableError(error) }),
    );
  }, options.capacity?.sweepMs ?? 5_000);
  sweeper.unref();
  // The same sweep as the deployed sweeper's; at start, resumeJobs has already started every QUEUED job.
  const sweepStuckStarts = restingStuckStartSweep(
    idleMarker,
    ctx.jobs,
    createStuckStartSweep({
      jobs: ctx.jobs,
      workflow,
      tasks,
      startWaiting: (userId) => uploads.startWaiting(userId),
      capacity: capacityStore,
      ...(options.stuckStarts?.afterMs !== undefined ? { stuckAfterMs: options.stuckStarts.afterMs } : {}),
      ...(options.stuckStarts?.overrunAfterMs !== undefined
        ? { overrunAfterMs: options.stuckStarts.overrunAfterMs }
        : {}),
    }),
  );
  let restarting: Promise<unknown> = Promise.resolve();
  const restarter = setInterval(() => {
    restarting = sweepStuckStarts()
      .then(({ started, failed, overran }) => {
        if (started.length)
          ctx.logger.warn('admitted jobs QUEUED with no execution seen were started', { jobIds: started });
        if (failed.length)
          ctx.logger.warn('jobs QUEUED whose execution had ended were failed', { jobIds: failed });
        if (overran.length)
          ctx.logger.warn('jobs PROCESSING past the execution timeout were failed', { jobIds: overran });
      })
      .catch((error: unknown) =>
        ctx.logger.error('stuck-start sweep failed', { error: loggableError(error) }),
      );
  }, options.stuckStarts?.everyMs ?? 60_000);
  restarter.unref();
  const environment: LocalEnvironment = {
    ctx,
    db,
    s3Endpoint: s3.endpoint,
    dynamo: { client: dynamo.client, tables: dynamo.tables },
    capacity: capacityStore,
    localModel,
    crashExecution: (jobId) => local!.crash(jobId),
    jwks,
    identity,
    async idle() {
      await new Promise((resolve) => setImmediate(resolve));
      while (ingesting.size || accountTasks.busy()) await Promise.all([...ingesting, accountTasks.idle()]);
      await local!.idle();
    },
    flushAudit: () => audit.flush(),
    async shutdown() {
      // Executions first (no new one starts), then whatever ffmpeg still runs (a local model's render).
      await Promise.all([local!.shutdown(), stopFfmpegProcesses()]);
      await stopFfmpegProcesses();
      await environment.stop();
    },
    async stop() {
      // No execution may start once the wait for them below is over.
      clearInterval(restarter);
      await restarting;
      await new Promise((resolve) => setImmediate(resolve));
      while (ingesting.size || accountTasks.busy()) await Promise.all([...ingesting, accountTasks.idle()]);
      await local!.idle();
      clearInterval(sweeper);
      await sweeping;
      await stopWakeups();
      await webhookSender.stop();
      await audit.flush();
      await s3.stop();
      await dynamo.stop();
      await db.close();
      setMetricsSink(undefined);
      if (temporary) await rm(temporary, { recursive: true, force: true });
      await lock.release();
    },
  };
  return environment;
}
