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
 * The context is put together from features: `core` (what every route reaches through authentication, the
 * audit and the log) and one feature per area, each building its repositories and services. A Lambda
 * function composes only the features its routes use (`composeContext`, see aws.ts), so its bundle holds
 * no other area's code; the local server and the tests take them all (`buildContext`). Repositories are
 * built at once (every route reads the database through them); services are deferred (see deferred.ts):
 * their modules, with the schemas and helpers of the routes that use them, are imported by the first call.
 */
export type Feature = (adapters: Adapters, once: Once) => object;

/** One instance per context of what several features use (a repository), built by the first to ask. */
export type Once = <T>(key: string, build: () => T) => T;

/** A fresh `Once`: each key is built by its first caller and shared from then on. */
export function createOnce(): Once {
  const built = new Map<string, unknown>();
  return (key, build) => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key) as ReturnType<typeof build>;
  };
}

const enabledModelsOf = (adapters: Adapters, once: Once) =>
  once('enabledModels', () => adapters.enabledModels ?? enabledModelsFromEnv());

export const core = (adapters: Adapters, once: Once) => {
  const users = once('users', () => createUserRepository(adapters.db));
  const apiKeys = createApiKeyRepository(adapters.db);
  return {
    ...adapters,
    users,
    apiKeys,
    apiKeyVerifier: createApiKeyVerifier({ keys: apiKeys, limiter: adapters.loginLimiter }),
    userRows: createUserRowGuard({ users, profile: (token) => adapters.identity.profile(token) }),
    enabledModels: enabledModelsOf(adapters, once),
  };
};

export const projectsFeature = (adapters: Adapters, once: Once) => {
  const projects = createProjectRepository(adapters.db);
  const jobs = once('jobs', () => createJobRepository(adapters.db));
  return {
    projects,
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
  };
};

export const clipsFeature = (adapters: Adapters, once: Once) => {
  const clips = once('clips', () => createClipRepository(adapters.db));
  return {
    clips,
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
  };
};

export const jobsFeature = (adapters: Adapters, once: Once) => {
  const users = once('users', () => createUserRepository(adapters.db));
  const clips = once('clips', () => createClipRepository(adapters.db));
  const jobs = once('jobs', () => createJobRepository(adapters.db));
  const templates = once('templates', () => createTemplateRepository(adapters.db));
  const enabledModels = enabledModelsOf(adapters, once);
  return {
    jobs,
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
  };
};

export const templatesFeature = (adapters: Adapters, once: Once) => ({
  templates: once('templates', () => createTemplateRepository(adapters.db)),
});

export const uploadsFeature = (adapters: Adapters) => {
  const reservations = createReservationRepository(adapters.db);
  return {
    reservations,
    uploadService: deferred(
      async () =>
        (await import('../uploads/service.ts')).createUploadService({
          reservations,
          signer: adapters.signer,
        }),
      { request: true },
    ),
  };
};

export const webhooksFeature = (adapters: Adapters) => {
  const webhooks = createWebhookRepository(adapters.db);
  const webhookPolicy: TargetPolicy =
    adapters.webhookPolicy ?? (process.env.WEBHOOK_TARGETS === 'local' ? 'local' : 'deployed');
  return {
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
  };
};

/** Job events: the outbox the stream and the webhook relay read. */
export const eventsFeature = (adapters: Adapters, once: Once) => ({
  jobs: once('jobs', () => createJobRepository(adapters.db)),
  outbox: createOutbox(adapters.db),
});

/** Exports and erasure: the me function and the account worker. */
export const accountFeature = (adapters: Adapters, once: Once) => ({
  jobs: once('jobs', () => createJobRepository(adapters.db)),
  exports: createExportRepository(adapters.db),
});

const FEATURES = [
  projectsFeature,
  clipsFeature,
  jobsFeature,
  templatesFeature,
  uploadsFeature,
  webhooksFeature,
  eventsFeature,
  accountFeature,
] as const;

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * The context of a Lambda function: core and the given features. It is typed as the whole context, since
 * routes are written against that; `test/unit/runtime/function-features.test.ts` checks that every API
 * function composes the features its routes use.
 */
export function composeContext(adapters: Adapters, features: readonly Feature[]): AppContext {
  const once = createOnce();
  return Object.assign({}, ...[core, ...features].map((feature) => feature(adapters, once))) as AppContext;
}

/** The whole context: every feature (the local server, which mounts every route, and the tests). */
export function buildContext(adapters: Adapters): AppContext {
  return composeContext(adapters, FEATURES);
}

export type AppContext = ReturnType<typeof core> & Intersection<ReturnType<(typeof FEATURES)[number]>>;

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
