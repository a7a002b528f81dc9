import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ClipSystem } from '../clips/system.ts';
import { DELIVERY_STATUSES, EVENT_TYPES } from '../events/types.ts';
import { JOB_STATUSES, JOB_TYPES } from '../jobs/status.ts';
import { PROJECT_STATUSES } from '../projects/status.ts';
import { SUBSCRIPTION_TIERS } from '../users/tiers.ts';

const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
/** Storage in bytes: 1 TiB does not fit in int4; numbers stay below 2^53. */
const bytes = (name: string) => bigint(name, { mode: 'number' });

// Each table is built in a function call marked pure, so a bundle that never reads a table leaves it out
// (esbuild keeps a pure call's arguments, and column builders are calls): building a table is init work.

export const users = /* @__PURE__ */ (() =>
  pgTable(
    'users',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      email: text('email').notNull(),
      username: text('username').notNull(),
      /** Only the local identity provider stores a hash; on AWS, Cognito keeps the password. */
      passwordHash: text('password_hash'),
      subscriptionTier: text('subscription_tier', { enum: SUBSCRIPTION_TIERS }).notNull().default('FREE'),
      storageUsed: bytes('storage_used').notNull().default(0),
      storageLimit: bytes('storage_limit').notNull(),
      /** Bytes set aside for uploads on their way (the sum of this user's upload_reservations rows). */
      storageReserved: bytes('storage_reserved').notNull().default(0),
      /**
       * Jobs holding one of the tier's concurrent-job slots (QUEUED or PROCESSING and admitted), kept equal to
       * their count by a trigger on generation_jobs; the limit is checked against it under the row's lock.
       */
      activeJobs: integer('active_jobs').notNull().default(0),
      /**
       * The user's API keys and webhook endpoints, kept equal to their counts by a trigger on each table; a
       * creation compares them with the bound under the row's lock (see db/owned-bound.ts).
       */
      apiKeyCount: integer('api_key_count').notNull().default(0),
      webhookCount: integer('webhook_count').notNull().default(0),
      /** The same for projects, templates (by creator) and upload reservations (uploads not yet a clip). */
      projectCount: integer('project_count').notNull().default(0),
      templateCount: integer('template_count').notNull().default(0),
      uploadCount: integer('upload_count').notNull().default(0),
      /**
       * When storage_used last changed: its byte-seconds up to then are in storage_months, and it has held
       * since. A trigger on storage_used moves it (migration 0020); nothing else writes it.
       */
      storageMeteredAt: timestamp('storage_metered_at', { withTimezone: true, mode: 'date', precision: 3 })
        .notNull()
        .defaultNow(),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      unique('users_email_key').on(t.email),
      uniqueIndex('users_username_lower_key').on(sql`lower(${t.username})`),
      check('users_storage_used_range', sql`${t.storageUsed} >= 0 AND ${t.storageUsed} <= ${t.storageLimit}`),
      check(
        'users_storage_reserved_range',
        sql`${t.storageReserved} >= 0 AND ${t.storageUsed} + ${t.storageReserved} <= ${t.storageLimit}`,
      ),
      check('users_active_jobs_nonnegative', sql`${t.activeJobs} >= 0`),
      check('users_api_key_count_nonnegative', sql`${t.apiKeyCount} >= 0`),
      check('users_webhook_count_nonnegative', sql`${t.webhookCount} >= 0`),
      check('users_project_count_nonnegative', sql`${t.projectCount} >= 0`),
      check('users_template_count_nonnegative', sql`${t.templateCount} >= 0`),
      check('users_upload_count_nonnegative', sql`${t.uploadCount} >= 0`),
      check('users_username_format', sql`${t.username} ~ '^[A-Za-z0-9_]{3,30}$'`),
      check('users_tier_valid', sql`${t.subscriptionTier} IN ('FREE', 'BASIC', 'PRO', 'ENTERPRISE')`),
    ],
  ))();

export const videoProjects = /* @__PURE__ */ (() =>
  pgTable(
    'video_projects',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      title: text('title').notNull(),
      description: text('description'),
      status: text('status', { enum: PROJECT_STATUSES }).notNull().default('DRAFT'),
      settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      unique('video_projects_id_user_key').on(t.id, t.userId),
      index('video_projects_user_created_idx').on(t.userId, t.createdAt, t.id),
      check('video_projects_title_length', sql`char_length(${t.title}) BETWEEN 1 AND 100`),
      check('video_projects_description_length', sql`char_length(${t.description}) <= 1000`),
      check(
        'video_projects_status_valid',
        sql`${t.status} IN ('DRAFT', 'PROCESSING', 'COMPLETED', 'FAILED')`,
      ),
    ],
  ))();

export const videoClips = /* @__PURE__ */ (() =>
  pgTable(
    'video_clips',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      projectId: uuid('project_id').notNull(),
      /** Denormalised owner: ownership checks and listings stay on one index range. */
      userId: uuid('user_id').notNull(),
      title: text('title').notNull(),
      duration: doublePrecision('duration').notNull(),
      /** Object key of the MP4 in the media bucket, never a public link. */
      fileUrl: text('file_url').notNull(),
      thumbnailUrl: text('thumbnail_url'),
      /** Bytes of the MP4 alone (what downloading the video returns). */
      fileSize: bytes('file_size').notNull(),
      /** Bytes of every rendition (MP4, HLS, frames): what the owner's quota is charged. */
      storageBytes: bytes('storage_bytes').notNull().default(0),
      resolution: text('resolution').notNull(),
      format: text('format').notNull(),
      /** The user's own free-form data. */
      metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
      /** What the pipeline recorded (see clips/system.ts); never written by a request. */
      system: jsonb('system').$type<ClipSystem>().notNull().default({}),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      foreignKey({
        name: 'video_clips_project_fk',
        columns: [t.projectId, t.userId],
        foreignColumns: [videoProjects.id, videoProjects.userId],
      }).onDelete('cascade'),
      index('video_clips_project_created_idx').on(t.projectId, t.createdAt, t.id),
      // Also the account export's order: a user's clips by id, read as one range of it (no sort, no other user's).
      index('video_clips_user_id_idx').on(t.userId, t.id),
      check('video_clips_title_length', sql`char_length(${t.title}) BETWEEN 1 AND 100`),
      check('video_clips_duration_positive', sql`${t.duration} > 0`),
      check('video_clips_file_size_nonnegative', sql`${t.fileSize} >= 0`),
      check('video_clips_storage_bytes_nonnegative', sql`${t.storageBytes} >= 0`),
      check('video_clips_resolution_format', sql`${t.resolution} ~ '^[0-9]{2,5}x[0-9]{2,5}$'`),
    ],
  ))();

export const templates = /* @__PURE__ */ (() =>
  pgTable(
    'templates',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      name: text('name').notNull(),
      description: text('description').notNull().default(''),
      category: text('category').notNull(),
      thumbnailUrl: text('thumbnail_url'),
      prompt: text('prompt').notNull(),
      parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
      isPublic: boolean('is_public').notNull().default(false),
      createdBy: uuid('created_by').references(() => users.id, { onDelete: 'cascade' }),
      usageCount: integer('usage_count').notNull().default(0),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      // Names that differ only by case are one name, as usernames are (migration 0023 renamed such pairs).
      uniqueIndex('templates_creator_name_lower_key').on(t.createdBy, sql`lower(${t.name})`),
      index('templates_creator_created_idx').on(t.createdBy, t.createdAt, t.id),
      index('templates_public_created_idx').on(t.createdAt, t.id).where(sql`${t.isPublic}`),
      check('templates_name_length', sql`char_length(${t.name}) BETWEEN 1 AND 100`),
      check('templates_description_length', sql`char_length(${t.description}) <= 1000`),
      check('templates_prompt_length', sql`char_length(${t.prompt}) BETWEEN 1 AND 2000`),
      check('templates_usage_nonnegative', sql`${t.usageCount} >= 0`),
    ],
  ))();

export const generationJobs = /* @__PURE__ */ (() =>
  pgTable(
    'generation_jobs',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      projectId: uuid('project_id').notNull(),
      userId: uuid('user_id').notNull(),
      clipId: uuid('clip_id').references(() => videoClips.id, { onDelete: 'set null' }),
      templateId: uuid('template_id').references(() => templates.id, { onDelete: 'set null' }),
      jobType: text('job_type', { enum: JOB_TYPES }).notNull(),
      status: text('status', { enum: JOB_STATUSES }).notNull().default('QUEUED'),
      prompt: text('prompt').notNull(),
      parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
      progress: integer('progress').notNull().default(0),
      errorMessage: text('error_message'),
      /**
       * Whether the job holds one of its owner's concurrent-job slots. Submitted jobs are admitted when
       * created; an upload that arrives while every slot is taken waits QUEUED and unadmitted.
       */
      admitted: boolean('admitted').notNull().default(true),
      startedAt: timestamp('started_at', { withTimezone: true, mode: 'date', precision: 3 }),
      completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date', precision: 3 }),
      createdAt: createdAt(),
    },
    (t) => [
      foreignKey({
        name: 'generation_jobs_project_fk',
        columns: [t.projectId, t.userId],
        foreignColumns: [videoProjects.id, videoProjects.userId],
      }).onDelete('cascade'),
      index('generation_jobs_project_created_idx').on(t.projectId, t.createdAt, t.id),
      index('generation_jobs_user_status_idx').on(t.userId, t.status),
      // A user's jobs of the last minute (the submission rate limit): a short range, whatever the history.
      index('generation_jobs_user_created_idx').on(t.userId, t.createdAt),
      index('generation_jobs_clip_idx').on(t.clipId),
      index('generation_jobs_template_idx').on(t.templateId),
      // The stuck-start sweep's candidates (admitted jobs still QUEUED): a handful, never a table scan.
      index('generation_jobs_queued_admitted_idx')
        .on(t.createdAt, t.id)
        .where(sql`${t.status} = 'QUEUED' AND ${t.admitted}`),
      // The stuck-job sweep's PROCESSING candidates past the execution timeout: only those are read, oldest first.
      index('generation_jobs_processing_started_idx')
        .on(t.startedAt, t.id)
        .where(sql`${t.status} = 'PROCESSING'`),
      // Whether any job runs: the idle marker's sleepers ask it every minute while awake (events/idle-marker.ts).
      index('generation_jobs_active_idx').on(t.status).where(sql`${t.status} IN ('QUEUED', 'PROCESSING')`),
      check('generation_jobs_progress_range', sql`${t.progress} BETWEEN 0 AND 100`),
      check('generation_jobs_prompt_length', sql`char_length(${t.prompt}) BETWEEN 1 AND 2000`),
      check('generation_jobs_type_valid', sql`${t.jobType} IN ('GENERATE', 'EDIT', 'ENHANCE', 'TRANSCODE')`),
      check(
        'generation_jobs_status_valid',
        sql`${t.status} IN ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED')`,
      ),
    ],
  ))();

/**
 * A GENERATE job waiting for its model's output: the Step Functions task token of the waiting state and
 * the run it waits for. The token is replaced by each new wait and removed once the output is handed over
 * or the job ends; it never leaves the pipeline (no API reads this table).
 */
export const generationWaits = /* @__PURE__ */ (() =>
  pgTable('generation_waits', {
    jobId: uuid('job_id')
      .primaryKey()
      .references(() => generationJobs.id, { onDelete: 'cascade' }),
    taskToken: text('task_token').notNull(),
    generation: jsonb('generation').$type<Record<string, unknown>>().notNull(),
    updatedAt: updatedAt(),
  }))();

/** The clips a job reads (EDIT stitches many, ENHANCE/TRANSCODE one), in order. */
export const jobSourceClips = /* @__PURE__ */ (() =>
  pgTable(
    'job_source_clips',
    {
      jobId: uuid('job_id')
        .notNull()
        .references(() => generationJobs.id, { onDelete: 'cascade' }),
      position: integer('position').notNull(),
      clipId: uuid('clip_id').references(() => videoClips.id, { onDelete: 'set null' }),
    },
    (t) => [primaryKey({ columns: [t.jobId, t.position] }), index('job_source_clips_clip_idx').on(t.clipId)],
  ))();

/**
 * Storage set aside for a presigned upload (the id is the upload's id, later its job's id). It expires a
 * while after the POST policy does; expired rows are swept by the statements that change reservations.
 * No foreign key to the project: a cascade would delete rows without giving their bytes back.
 */
export const uploadReservations = /* @__PURE__ */ (() =>
  pgTable(
    'upload_reservations',
    {
      id: uuid('id').primaryKey(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      projectId: uuid('project_id').notNull(),
      bytes: bytes('bytes').notNull(),
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
      /** As the upload was requested (null for rows older than the column). */
      fileName: text('file_name'),
      /** When the file landed and the reservation became held for its job; an upload then can no longer be cancelled. */
      arrivedAt: timestamp('arrived_at', { withTimezone: true, mode: 'date', precision: 3 }),
      createdAt: createdAt(),
    },
    (t) => [
      index('upload_reservations_user_expires_idx').on(t.userId, t.expiresAt),
      check('upload_reservations_bytes_positive', sql`${t.bytes} > 0`),
    ],
  ))();

/**
 * Uploads their owner cancelled before the file came: the presigned POST stays valid until it expires, so a
 * file that lands afterwards must be recognised and deleted rather than reserved again. A row lives until
 * the file's event could no longer come (CANCELLATION_MARGIN_SECONDS past the reservation's expiry,
 * uploads/reservations.ts); lapsed rows are swept by the user's next reservation or cancel.
 */
export const cancelledUploads = /* @__PURE__ */ (() =>
  pgTable(
    'cancelled_uploads',
    {
      id: uuid('id').primaryKey(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    },
    (t) => [index('cancelled_uploads_user_expires_idx').on(t.userId, t.expiresAt)],
  ))();

/**
 * A user's stored bytes per calendar month (UTC), kept by the trigger on users.storage_used (migration
 * 0020): the byte-seconds held in the month up to users.storage_metered_at, and the bytes held after the
 * month's last change. A month with no row held nothing up to then.
 */
export const storageMonths = /* @__PURE__ */ (() =>
  pgTable(
    'storage_months',
    {
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      /** The month's first day. */
      month: date('month', { mode: 'string' }).notNull(),
      /** Exact: bytes times seconds, to the millisecond (beyond bigint for a TiB held a month). */
      byteSeconds: numeric('byte_seconds').notNull().default('0'),
      closingBytes: bytes('closing_bytes').notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.userId, t.month] }),
      check('storage_months_byte_seconds_nonnegative', sql`${t.byteSeconds} >= 0`),
    ],
  ))();

/**
 * What each ended job used, as it stood when the job ended, kept by the trigger on generation_jobs
 * (migration 0021) so a month's usage outlives the job, its clip and its project. No foreign key to the
 * job, which may be deleted; the row goes with its user.
 */
export const jobUsage = /* @__PURE__ */ (() =>
  pgTable(
    'job_usage',
    {
      jobId: uuid('job_id').primaryKey(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      jobType: text('job_type', { enum: JOB_TYPES }).notNull(),
      outcome: text('outcome', { enum: ['completed', 'failed', 'cancelled'] }).notNull(),
      model: text('model'),
      /** The clip's frame size when the job ended; null when it had none. */
      resolution: text('resolution'),
      hasHls: boolean('has_hls').notNull().default(false),
      /** Seconds of video the job made: its clip's duration, else the requested one; 0 unless completed. */
      seconds: doublePrecision('seconds').notNull(),
      endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    },
    (t) => [
      index('job_usage_user_ended_idx').on(t.userId, t.endedAt),
      check('job_usage_outcome_valid', sql`${t.outcome} IN ('completed', 'failed', 'cancelled')`),
    ],
  ))();

/**
 * Machine-client keys. Only the SHA-256 of a key is kept (a key carries 256 random bits, so a slow hash adds
 * nothing); `prefix` is the visible start of the key that lets its owner tell keys apart.
 */
export const apiKeys = /* @__PURE__ */ (() =>
  pgTable(
    'api_keys',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      name: text('name').notNull(),
      prefix: text('prefix').notNull(),
      keyHash: text('key_hash').notNull(),
      /** `read` or `read,write`: text, not an array (the Data API cannot bind arrays). */
      scopes: text('scopes', { enum: ['read', 'read,write'] }).notNull(),
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }),
      lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date', precision: 3 }),
      createdAt: createdAt(),
    },
    (t) => [
      uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
      index('api_keys_user_created_idx').on(t.userId, t.createdAt, t.id),
      check('api_keys_name_length', sql`char_length(${t.name}) BETWEEN 1 AND 100`),
      check('api_keys_scopes_valid', sql`${t.scopes} IN ('read', 'read,write')`),
    ],
  ))();

/** An export of everything a user owns: a zip written by the account worker, kept a short while. */
export const accountExports = /* @__PURE__ */ (() =>
  pgTable(
    'account_exports',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      status: text('status', { enum: ['PENDING', 'COMPLETED', 'FAILED'] })
        .notNull()
        .default('PENDING'),
      /** Object key of the zip once written. */
      objectKey: text('object_key'),
      sizeBytes: bytes('size_bytes'),
      errorMessage: text('error_message'),
      /** When the zip (and this row's link) lapse. */
      expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
      createdAt: createdAt(),
      completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date', precision: 3 }),
    },
    (t) => [
      index('account_exports_user_created_idx').on(t.userId, t.createdAt),
      // One export at a time: a double submit meets this index rather than a check it could race past.
      uniqueIndex('account_exports_one_pending_key').on(t.userId).where(sql`${t.status} = 'PENDING'`),
      check('account_exports_status_valid', sql`${t.status} IN ('PENDING', 'COMPLETED', 'FAILED')`),
    ],
  ))();

/**
 * The outbox: one row per event, written by triggers on the rows it reports, so an event commits or rolls
 * back with its change. `tx_id` (the writing transaction) and `seq` order the stream; a reader only takes
 * rows whose transaction is older than every one still running, so a later commit can never slip in behind
 * a position a client has already seen.
 */
export const events = /* @__PURE__ */ (() =>
  pgTable(
    'events',
    {
      seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
      txId: bigint('tx_id', { mode: 'number' }).notNull().default(sql`(pg_current_xact_id())::text::bigint`),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      type: text('type', { enum: EVENT_TYPES }).notNull(),
      projectId: uuid('project_id'),
      jobId: uuid('job_id'),
      /** The changed rows as the database holds them; the API's view is built from them when sent. */
      data: jsonb('data').$type<Record<string, unknown>>().notNull(),
      createdAt: createdAt(),
    },
    (t) => [
      index('events_user_position_idx').on(t.userId, t.txId, t.seq),
      index('events_job_idx').on(t.jobId, t.txId, t.seq),
      check(
        'events_type_valid',
        sql`${t.type} IN ('job.created', 'job.progress', 'job.completed', 'job.failed', 'clip.deleted', 'webhook.test')`,
      ),
    ],
  ))();

/** A user's webhook endpoint. `secret` signs; `previous_secret` keeps signing until it expires (rotation). */
export const webhookEndpoints = /* @__PURE__ */ (() =>
  pgTable(
    'webhook_endpoints',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      url: text('url').notNull(),
      description: text('description').notNull().default(''),
      /** Event types to send, as a JSON array; empty means every type. */
      eventTypes: jsonb('event_types').$type<string[]>().notNull().default([]),
      enabled: boolean('enabled').notNull().default(true),
      /** Why the endpoint was disabled by the system (failing for too long); null when a user disabled it. */
      disabledReason: text('disabled_reason'),
      secret: text('secret').notNull(),
      previousSecret: text('previous_secret'),
      previousSecretExpiresAt: timestamp('previous_secret_expires_at', {
        withTimezone: true,
        mode: 'date',
        precision: 3,
      }),
      /** When the current run of failed attempts began; null after any success. */
      failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date', precision: 3 }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      unique('webhook_endpoints_id_user_key').on(t.id, t.userId),
      index('webhook_endpoints_user_created_idx').on(t.userId, t.createdAt, t.id),
      check('webhook_endpoints_url_length', sql`char_length(${t.url}) BETWEEN 1 AND 2000`),
      check('webhook_endpoints_description_length', sql`char_length(${t.description}) <= 500`),
    ],
  ))();

/** One event to one endpoint: its state, attempts and the last attempt's outcome. */
export const webhookDeliveries = /* @__PURE__ */ (() =>
  pgTable(
    'webhook_deliveries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      userId: uuid('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      endpointId: uuid('endpoint_id')
        .notNull()
        .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
      eventSeq: bigint('event_seq', { mode: 'number' })
        .notNull()
        .references(() => events.seq, { onDelete: 'cascade' }),
      status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
      attempts: integer('attempts').notNull().default(0),
      /** When a pending delivery is due; while an attempt runs, when its lease ends. */
      nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date', precision: 3 })
        .notNull()
        .defaultNow(),
      /** Set while an attempt runs (until when it may); the endpoint's in-flight attempts are capped. */
      leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date', precision: 3 }),
      lastStatusCode: integer('last_status_code'),
      lastLatencyMs: integer('last_latency_ms'),
      lastError: text('last_error'),
      lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date', precision: 3 }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      unique('webhook_deliveries_endpoint_event_key').on(t.endpointId, t.eventSeq),
      index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
      index('webhook_deliveries_endpoint_created_idx').on(t.endpointId, t.createdAt, t.id),
      index('webhook_deliveries_leased_idx').on(t.endpointId).where(sql`${t.leaseUntil} IS NOT NULL`),
      index('webhook_deliveries_event_idx').on(t.eventSeq),
      // As video_clips_user_id_idx: a user's deliveries by id for the account export.
      index('webhook_deliveries_user_id_idx').on(t.userId, t.id),
      check('webhook_deliveries_status_valid', sql`${t.status} IN ('pending', 'succeeded', 'failed')`),
    ],
  ))();

export const schema = {
  users,
  apiKeys,
  accountExports,
  videoProjects,
  videoClips,
  templates,
  generationJobs,
  jobSourceClips,
  generationWaits,
  uploadReservations,
  cancelledUploads,
  storageMonths,
  jobUsage,
  events,
  webhookEndpoints,
  webhookDeliveries,
};

export type UserRow = typeof users.$inferSelect;
export type ProjectRow = typeof videoProjects.$inferSelect;
export type ClipRow = typeof videoClips.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;
export type JobRow = typeof generationJobs.$inferSelect;
export type UploadReservationRow = typeof uploadReservations.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AccountExportRow = typeof accountExports.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
