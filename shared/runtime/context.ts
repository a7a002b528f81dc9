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
import { createClipService } from '../clips/service.ts';
import type { Database } from '../db/database.ts';
import { createOutbox } from '../events/outbox.ts';
import { enabledModelsFromEnv } from '../generation/models.ts';
import type { IdempotentRunner } from '../idempotency/idempotent.ts';
import { createJobRepository } from '../jobs/repository.ts';
import { createJobService } from '../jobs/service.ts';
import { createProjectRepository } from '../projects/repository.ts';
import { createProjectService } from '../projects/service.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { MediaSigner } from '../storage/s3.ts';
import { createTemplateRepository } from '../templates/repository.ts';
import { createReservationRepository } from '../uploads/reservations.ts';
import { createUploadService } from '../uploads/service.ts';
import { createUserRowGuard } from '../users/provision.ts';
import { createUserRepository } from '../users/repository.ts';
import { createWebhookRepository } from '../webhooks/repository.ts';
import { createWebhookService, type HostResolver } from '../webhooks/service.ts';
import type { TargetPolicy } from '../webhooks/ssrf.ts';
import type { JobWorkflow } from '../workflow/port.ts';

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
    webhookService: createWebhookService({
      webhooks,
      policy: webhookPolicy,
      ...(adapters.resolveHost ? { resolve: adapters.resolveHost } : {}),
    }),
    outbox: createOutbox(adapters.db),
    userRows: createUserRowGuard({ users, profile: (token) => adapters.identity.profile(token) }),
    projectService: createProjectService({
      projects,
      jobs,
      store: adapters.store,
      workflow: adapters.workflow,
    }),
    clipService: createClipService({
      clips,
      store: adapters.store,
      signer: adapters.signer,
      hlsLinkKey: adapters.hlsLinkKey,
    }),
    enabledModels: adapters.enabledModels ?? enabledModelsFromEnv(),
    jobService: createJobService({
      users,
      clips,
      jobs,
      templates,
      workflow: adapters.workflow,
      enabledModels: adapters.enabledModels ?? enabledModelsFromEnv(),
      ...(adapters.now ? { now: adapters.now } : {}),
    }),
    uploadService: createUploadService({ reservations, signer: adapters.signer }),
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
