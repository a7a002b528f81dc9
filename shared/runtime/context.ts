import type { Logger } from '@aws-lambda-powertools/logger';
import { createExportRepository } from '../account/exports.ts';
import type { AccountRecordStores, AccountTaskRunner } from '../account/port.ts';
import { createApiKeyRepository } from '../api-keys/repository.ts';
import type { AuditLog } from '../audit/port.ts';
import { createApiKeyVerifier } from '../auth/api-keys.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { IdentityProvider, TokenVerifier } from '../auth/port.ts';
import type { CapacityQueue } from '../capacity/positions.ts';
import { createClipRepository } from '../clips/repository.ts';
import type { Database } from '../db/database.ts';
import { createOutbox } from '../events/outbox.ts';
import { enabledModelsFromEnv } from '../generation/models.ts';
import type { IdempotentRunner } from '../idempotency/idempotent.ts';
import { createJobRepository } from '../jobs/repository.ts';
import { createProjectRepository } from '../projects/repository.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { MediaSigner } from '../storage/s3.ts';
import { createTemplateRepository } from '../templates/repository.ts';
import { createReservationRepository } from '../uploads/reservations.ts';
import { createUserRowGuard } from '../users/provision.ts';
import { createUserRepository } from '../users/repository.ts';
import { createWebhookRepository } from '../webhooks/repository.ts';
import type { HostResolver } from '../webhooks/service.ts';
import type { TargetPolicy } from '../webhooks/ssrf.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import { deferred } from './deferred.ts';

/** The adapters an environment provides; everything else is derived from them. */
export interface Adapters {
  db: Database;
  store: ObjectStore;
  signer: MediaSigner;
  identity: IdentityProvider;
  verifier: TokenVerifier;
  workflow: JobWorkflow;
  audit: AuditLog;
  idempotent: IdempotentRunner;
  loginLimiter: LoginLimiter;
  logger: Logger;
  /** Runs exports and erasures outside the request (see account/port.ts). */
  accountTasks: AccountTaskRunner;
  /** The DynamoDB tables' share of an erasure. */
  accountRecords: AccountRecordStores;
  /** The HMAC key of erased users' pseudonyms in the audit log; loaded on first use. */
  pseudonymKey: () => Promise<Uint8Array>;
  /** The HMAC key of HLS playlist links (see media/hls-links.ts); loaded on first use. */
  hlsLinkKey: () => Promise<Uint8Array>;
  /** JWKS served by the local issuer (absent on AWS, where Cognito serves it). */
  jwks?: { keys: object[] };
  /** Video models this deployment may use; ENABLED_MODELS when absent (see generation/models.ts). */
  enabledModels?: readonly string[];
  /** Today, for model end-of-life dates (tests move it). */
  now?: () => Date;
  /** Where webhooks may point: `deployed` (https, public addresses) unless WEBHOOK_TARGETS=local. */
  webhookPolicy?: TargetPolicy;
  /** Resolves webhook hosts (tests give names their own answers). */
  resolveHost?: HostResolver;
  /** The model capacity lines, read for the jobs' queuePosition (shared/capacity/). */
  capacityQueue?: CapacityQueue;
}

/**
 * Repositories are built at once (every route reads the database through them, and they share the table
 * definitions); services are deferred (see deferred.ts): their modules, with the schemas and helpers of the
 * routes that use them, are imported by the first call, so a function evaluates only what its routes reach.
 */
export function buildContext(adapters: Adapters) {
  const users = createUserRepository(adapters.db);
  const projects = createProjectRepository(adapters.db);
  const clips = createClipRepository(adapters.db);
  const jobs = createJobRepository(adapters.db);
  const templates = createTemplateRepository(adapters.db);
  const reservations = createReservationRepository(adapters.db);
  const apiKeys = createApiKeyRepository(adapters.db);
  const webhooks = createWebhookRepository(adapters.db);
  const webhookPolicy: TargetPolicy =
    adapters.webhookPolicy ?? (process.env.WEBHOOK_TARGETS === 'local' ? 'local' : 'deployed');
  const enabledModels = adapters.enabledModels ?? enabledModelsFromEnv();
  return {
    ...adapters,
    apiKeys,
    apiKeyVerifier: createApiKeyVerifier({ keys: apiKeys, limiter: adapters.loginLimiter }),
    exports: createExportRepository(adapters.db),
    users,
    projects,
    clips,
    jobs,
    templates,
    reservations,
    webhooks,
    webhookPolicy,
    webhookService: deferred(
      async () =>
        (await import('../webhooks/service.ts')).createWebhookService({
          webhooks,
          policy: webhookPolicy,
          ...(adapters.resolveHost ? { resolve: adapters.resolveHost } : {}),
        }),
      { checkUrl: true, create: true, update: true, rotate: true },
    ),
    outbox: createOutbox(adapters.db),
    userRows: createUserRowGuard({ users, profile: (token) => adapters.identity.profile(token) }),
    projectService: deferred(
      async () =>
        (await import('../projects/service.ts')).createProjectService({
          projects,
          jobs,
          store: adapters.store,
          workflow: adapters.workflow,
        }),
      { remove: true },
    ),
    clipService: deferred(
      async () =>
        (await import('../clips/service.ts')).createClipService({
          clips,
          store: adapters.store,
          signer: adapters.signer,
          hlsLinkKey: adapters.hlsLinkKey,
        }),
      { getWithMedia: true, hlsPlaylist: true, remove: true },
    ),
    enabledModels,
    jobService: deferred(
      async () =>
        (await import('../jobs/service.ts')).createJobService({
          users,
          clips,
          jobs,
          templates,
          workflow: adapters.workflow,
          enabledModels,
          ...(adapters.now ? { now: adapters.now } : {}),
        }),
      { submit: true, cancel: true },
    ),
    uploadService: deferred(
      async () =>
        (await import('../uploads/service.ts')).createUploadService({
          reservations,
          signer: adapters.signer,
        }),
      { request: true },
    ),
  };
}

export type AppContext = ReturnType<typeof buildContext>;

let factory: (() => Promise<AppContext>) | undefined;
let instance: Promise<AppContext> | undefined;

/**
 * The composition root of the process: the local server installs its own before loading handlers; a Lambda
 * function installs the AWS one (from environment variables) only if none is set.
 */
export function setContextFactory(
  next: () => Promise<AppContext>,
  options: { ifUnset?: boolean } = {},
): void {
  if (options.ifUnset && factory) return;
  factory = next;
  instance = undefined;
}

export function getContext(): Promise<AppContext> {
  if (!factory) throw new Error('No application context: import the AWS runtime or start the local server.');
  instance ??= factory().catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance;
}
