import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccountRecordStores, AccountTaskRunner } from '../account/port.ts';
import { createApiKeyRepository } from '../api-keys/repository.ts';
import type { AuditLog } from '../audit/port.ts';
import { createApiKeyVerifier } from '../auth/api-keys.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { IdentityProvider, TokenVerifier } from '../auth/port.ts';
import type { CapacityQueue } from '../capacity/positions.ts';
import type { Database } from '../db/database.ts';
import type { IdleMarker } from '../events/idle-marker.ts';
import type { StreamSlots } from '../events/stream-slots.ts';
import { enabledModelsFromEnv } from '../generation/models.ts';
import type { IdempotentRunner } from '../idempotency/idempotent.ts';
import type { ObjectStore } from '../storage/port.ts';
import type { MediaSigner } from '../storage/s3.ts';
import { createUserRowGuard } from '../users/provision.ts';
import { createUserRepository } from '../users/repository.ts';
import type { WebhookSendLimiter } from '../webhooks/send-limiter.ts';
import type { HostResolver } from '../webhooks/service.ts';
import type { TargetPolicy } from '../webhooks/ssrf.ts';
import type { JobWorkflow } from '../workflow/port.ts';
import type { FEATURES } from './features/all.ts';
import { createOnce, type Once } from './once.ts';

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
  /** How many event streams each user holds open (see events/stream-slots.ts). */
  streamSlots: StreamSlots;
  /** Each user's budget of webhook test sends and retries (see webhooks/send-limiter.ts). */
  webhookSends: WebhookSendLimiter;
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
  /** Woken before anything that may give the webhook relay or the stuck-start sweep work (events/idle-marker.ts). */
  idleMarker?: IdleMarker;
}

/**
 * The context is put together from features: `core` (what every route reaches through authentication, the
 * audit and the log) and one feature per area (features/), each building its repositories and services. A
 * Lambda function composes only the features its routes use (`composeContext`, see aws.ts); the local
 * server and the tests take them all (`buildContext` in features/all.ts). Each feature has its own module,
 * which imports its service statically, so only the functions that compose it bundle it. Services are not
 * imported dynamically: a dynamic import of a module inside the bundle makes esbuild wrap it and everything
 * it imports (zod, drizzle, the tables) in lazy initialisers, which costs more at every cold start (a
 * second parse of the wrapped code, and whole packages kept that tree shaking would trim) than building a
 * service's closures does.
 */
export type Feature = (adapters: Adapters, once: Once) => object;

export type { Once } from './once.ts';

export const enabledModelsOf = (adapters: Adapters, once: Once) =>
  once('enabledModels', () => adapters.enabledModels ?? enabledModelsFromEnv());

export const core = (adapters: Adapters, once: Once) => {
  const users = once('users', () => createUserRepository(adapters.db));
  const apiKeys = createApiKeyRepository(adapters.db);
  return {
    ...adapters,
    users,
    apiKeys,
    apiKeyVerifier: createApiKeyVerifier({ keys: apiKeys, limiter: adapters.loginLimiter }),
    userRows: createUserRowGuard({
      users,
      profile: (token) => adapters.identity.profile(token),
      currentEmail: (userId) => adapters.identity.currentEmail(userId),
    }),
    enabledModels: enabledModelsOf(adapters, once),
  };
};

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
