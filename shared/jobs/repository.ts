import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { FOREIGN_KEY_VIOLATION, sqlErrorInfo } from '../db/errors.ts';
import {
  afterCursor,
  budgetedPageUnder,
  type Page,
  type PageRequest,
  pageLimit,
  rowsUnderParent,
  toBudgetedPage,
} from '../db/pagination.ts';
import { rawRows, rowFromJson } from '../db/sql.ts';
import { generationJobs, type JobRow, jobSourceClips, videoProjects } from '../db/tables.ts';
import { ConflictError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import type { SubscriptionTier } from '../users/tiers.ts';
import { failActiveJobs } from './fail-statement.ts';
import { jobsInWindow, secondsUntilRateFrees } from './rate-limit.ts';
import {
  ACTIVE_JOB_STATUSES,
  allowedSources,
  CANCELLED_BY_USER,
  type JobStatus,
  type JobType,
} from './status.ts';

export type Job = JobRow;

const sweepColumns = {
  id: generationJobs.id,
  userId: generationJobs.userId,
  projectId: generationJobs.projectId,
  jobType: generationJobs.jobType,
  createdAt: generationJobs.createdAt,
  startedAt: generationJobs.startedAt,
  model: sql<string | null>`${generationJobs.parameters} ->> 'model'`,
};
export type JobWithSources = Job & { sourceClipIds: string[] };

/**
 * What the stuck-job sweeps read of a job: who and what it is, and the model a GENERATE job waits for.
 * Not the prompt or parameters: a page of 100 EDIT jobs with theirs is past the Data API's 1 MiB answer.
 */
export type SweepCandidate = Pick<
  Job,
  'id' | 'userId' | 'projectId' | 'jobType' | 'createdAt' | 'startedAt'
> & {
  model: string | null;
};

export interface NewJob {
  /** A caller-chosen id (the upload trigger uses the upload's id, so a repeated event finds its job). */
  id?: string;
  userId: string;
  projectId: string;
  jobType: JobType;
  prompt: string;
  parameters: Record<string, unknown>;
  templateId?: string | null;
  sourceClipIds?: readonly string[];
  /** The tier's limit of jobs holding a slot (QUEUED or PROCESSING and admitted). */
  concurrentLimit: number;
  /**
   * The tier's limit of jobs created in any minute, whatever became of them (rate-limit.ts; absent: not
   * checked, for tools and tests that make jobs directly). An upload's job ('wait') is counted but never
   * refused: its file is already stored.
   */
  jobsPerMinute?: number;
  /**
   * When every slot is taken: 'refuse' (a submission gets 429) or 'wait' (an upload, whose file is already
   * stored, is recorded QUEUED without a slot and admitted later by `admitNextWaiting`).
   */
  whenFull?: 'refuse' | 'wait';
}

export interface JobFilter extends PageRequest {
  status?: JobStatus;
  jobType?: JobType;
}

const own = (userId: string, id: string) => and(eq(generationJobs.id, id), eq(generationJobs.userId, userId));

/** A job as a raw statement returns it: `to_jsonb` of the row, and its source clip ids as a JSON array. */
const jobFromJson = (job: string, sources: string): JobWithSources => ({
  ...rowFromJson(generationJobs, job),
  sourceClipIds: JSON.parse(sources) as string[],
});

/**
 * A job's insert that waited for its project's deletion (the owner's row, then the project's) finds the
 * project gone only at its foreign-key check: that is the project not found, as for a later submission.
 */
function projectGone(error: unknown): never {
  const { sqlState, constraint } = sqlErrorInfo(error);
  if (sqlState === FOREIGN_KEY_VIOLATION && constraint === 'generation_jobs_project_fk')
    throw new NotFoundError('project');
  throw error;
}

export function createJobRepository(db: Database) {
  /** With a userId, only that user's job; without, any job (the pipeline acts for the owner). */
  async function get(userId: string | null, id: string): Promise<JobWithSources> {
    const rows = await db
      .select({ job: generationJobs, sourceClipId: jobSourceClips.clipId })
      .from(generationJobs)
      .leftJoin(jobSourceClips, eq(jobSourceClips.jobId, generationJobs.id))
      .where(userId === null ? eq(generationJobs.id, id) : own(userId, id))
      .orderBy(asc(jobSourceClips.position));
    const first = rows[0];
    if (!first) throw new NotFoundError('job');
    return {
      ...first.job,
      sourceClipIds: rows.map((r) => r.sourceClipId).filter((c): c is string => c !== null),
    };
  }

  /**
   * QUEUED/PROCESSING → FAILED in one statement that also gives back the job's upload reservation. The
   * owner's row is locked before the job's (the order clip registration uses too), so they cannot deadlock.
   * The lock is FOR NO KEY UPDATE, what an UPDATE of the row takes: it still excludes other writers of the
   * owner, but not the KEY SHARE of a foreign-key check, which the job's start takes on the owner while it
   * holds the job's row (its trigger inserts the job's event). Returns the job as it ended, with its
   * sources; undefined when it had ended already (or is not there).
   */
  async function fail(userId: string | null, jobId: string, message: string) {
    const owned = userId === null ? sql`` : sql`AND j.user_id = ${userId}::uuid`;
    const rows = await rawRows<{ job: string; sources: string }>(
      db,
      sql`
      WITH owner AS (
        SELECT u.id FROM users u JOIN generation_jobs j ON j.user_id = u.id
        WHERE j.id = ${jobId}::uuid ${owned}
        FOR NO KEY UPDATE OF u
      ), ${failActiveJobs(sql`j.id = ${jobId}::uuid ${owned} AND EXISTS (SELECT 1 FROM owner)`, message)}
      SELECT to_jsonb(job)::text AS job,
             (SELECT COALESCE(jsonb_agg(s.clip_id ORDER BY s.position) FILTER (WHERE s.clip_id IS NOT NULL), '[]')
              FROM job_source_clips s WHERE s.job_id = job.id)::text AS sources
      FROM job`,
    );
    const r = rows[0];
    return r ? jobFromJson(r.job, r.sources) : undefined;
  }

  return {
    get: (userId: string, id: string) => get(userId, id),

    /**
     * Inserts a QUEUED job with its source clips in one statement, only if the project and every source
     * clip belong to the caller, the template (if any) is visible to them, and a slot is free: the owner's
     * row is locked and `active_jobs` (kept by a trigger) is compared with the limit after the lock, so
     * parallel submissions cannot all see the same free slot. The owner's jobs of the last minute are
     * counted after that lock too (rate-limit.ts). The template's use is counted when the job completes
     * (clips' register).
     */
    async create(input: NewJob): Promise<JobWithSources> {
      const sources = JSON.stringify(input.sourceClipIds ?? []);
      const templateId = input.templateId ?? null;
      const wait = input.whenFull === 'wait';
      const rateLimit = wait ? null : (input.jobsPerMinute ?? null);
      const rows = await rawRows<{
        job: string | null;
        sources: string | null;
        project_found: number;
        sources_found: number;
        template_found: number;
        within_rate: number;
      }>(
        db,
        sql`
        WITH owner AS (
          -- A row lock returns the row as its newest version holds it: active_jobs is current here.
          SELECT id, active_jobs FROM users WHERE id = ${input.userId}::uuid FOR NO KEY UPDATE
        ), recent AS (
          -- Read from owner, so only once its row is locked.
          SELECT ${jobsInWindow(sql`owner.id`, sql`${rateLimit}::int`)} AS n
          FROM owner WHERE ${rateLimit}::int IS NOT NULL
        ), slot AS (
          SELECT id FROM owner WHERE active_jobs < ${input.concurrentLimit}::int
        ), project AS (
          SELECT id FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid
        ), wanted AS (
          SELECT value::uuid AS clip_id, ordinality::int - 1 AS position
          FROM jsonb_array_elements_text(${sources}::jsonb) WITH ORDINALITY
        ), found AS (
          SELECT w.clip_id, w.position FROM wanted w
          JOIN video_clips c ON c.id = w.clip_id AND c.user_id = ${input.userId}::uuid
        ), template AS (
          SELECT id FROM templates
          WHERE id = ${templateId}::uuid AND (is_public OR created_by = ${input.userId}::uuid)
        ), job AS (
          INSERT INTO generation_jobs (id, project_id, user_id, job_type, prompt, parameters, template_id, admitted)
          SELECT COALESCE(${input.id ?? null}::uuid, gen_random_uuid()), project.id, owner.id, ${input.jobType}, ${input.prompt}, ${JSON.stringify(input.parameters)}::jsonb,
                 (SELECT id FROM template), EXISTS (SELECT 1 FROM slot)
          FROM owner, project
          WHERE (EXISTS (SELECT 1 FROM slot) OR ${wait}::boolean)
            AND (${rateLimit}::int IS NULL OR (SELECT n FROM recent) < ${rateLimit}::int)
            AND (SELECT count(*) FROM found) = (SELECT count(*) FROM wanted)
            AND (${templateId}::uuid IS NULL OR EXISTS (SELECT 1 FROM template))
          RETURNING *
        ), links AS (
          INSERT INTO job_source_clips (job_id, position, clip_id)
          SELECT job.id, found.position, found.clip_id FROM job, found
        )
        -- The job as a select of it would read it; its sources are every one wanted (or it was not inserted).
        SELECT (SELECT to_jsonb(job)::text FROM job) AS job,
               (SELECT COALESCE(jsonb_agg(clip_id ORDER BY position), '[]')::text FROM found) AS sources,
               (SELECT count(*)::int FROM project) AS project_found,
               ((SELECT count(*) FROM found) = (SELECT count(*) FROM wanted))::int AS sources_found,
               (${templateId}::uuid IS NULL OR EXISTS (SELECT 1 FROM template))::int AS template_found,
               (${rateLimit}::int IS NULL OR (SELECT n FROM recent) < ${rateLimit}::int)::int AS within_rate`,
      ).catch(projectGone);
      const r = rows[0];
      if (!r?.job) {
        if (!r?.project_found) throw new NotFoundError('project');
        if (!r.sources_found) throw new NotFoundError('source clip');
        if (!r.template_found) throw new NotFoundError('template');
        if (!r.within_rate && rateLimit !== null) {
          const seconds = await secondsUntilRateFrees(db, input.userId, rateLimit);
          throw new TooManyRequestsError(
            `You submitted ${rateLimit} jobs in the last minute, the most your tier allows (cancelled and failed jobs count too); submit the next one in ${seconds} s.`,
            seconds,
          );
        }
        throw new TooManyRequestsError(
          `You already have ${input.concurrentLimit} active jobs, the most your tier allows; wait for one to finish.`,
          30,
        );
      }
      return jobFromJson(r.job, r.sources!);
    },

    /**
     * Gives a free slot to the owner's oldest upload job waiting QUEUED without one; returns it (to be
     * started) or undefined when no slot is free, nothing waits, or the owner is gone. The owner's row is
     * locked first, as in `create`, so two jobs ending together cannot both fill the last slot. The limit
     * is the one of the owner's tier, picked in the statement, so a job's end reads no user row before it.
     */
    async admitNextWaiting(
      userId: string,
      concurrentLimits: Readonly<Record<SubscriptionTier, number>>,
    ): Promise<Job | undefined> {
      const limit = sql.join(
        Object.entries(concurrentLimits).map(([tier, n]) => sql`WHEN ${tier} THEN ${n}::int`),
        sql` `,
      );
      const rows = await rawRows<{ id: string }>(
        db,
        sql`
        WITH slot AS (
          SELECT id FROM users
          WHERE id = ${userId}::uuid AND active_jobs < (CASE subscription_tier ${limit} END)
          FOR NO KEY UPDATE
        ), next AS (
          SELECT id FROM generation_jobs
          WHERE user_id = ${userId}::uuid AND status = 'QUEUED' AND NOT admitted AND EXISTS (SELECT 1 FROM slot)
          ORDER BY created_at, id
          LIMIT 1
          FOR NO KEY UPDATE SKIP LOCKED
        )
        UPDATE generation_jobs SET admitted = true
        WHERE id = (SELECT id FROM next) AND status = 'QUEUED' AND NOT admitted
        RETURNING id::text AS id`,
      );
      const id = rows[0]?.id;
      return id ? get(null, id) : undefined;
    },

    /**
     * Jobs of one of the caller's projects (another user's project reads as not found), newest first. A page
     * stops early when its prompts and parameters would make the Data API's answer too large (an EDIT keeps
     * up to about 12 KiB of parameters), with a cursor to the rest.
     */
    async list(userId: string, projectId: string, filter: JobFilter = {}): Promise<Page<Job>> {
      const limit = pageLimit(filter.limit);
      const scope = `jobs:${userId}:${projectId}`;
      const rowBytes = sql<string>`octet_length(${generationJobs.prompt}) + octet_length(${generationJobs.parameters}::text) + coalesce(octet_length(${generationJobs.errorMessage}), 0)`;
      const rows = await budgetedPageUnder(
        db,
        generationJobs,
        {
          rowBytes,
          where: and(
            eq(generationJobs.projectId, projectId),
            filter.status ? eq(generationJobs.status, filter.status) : undefined,
            filter.jobType ? eq(generationJobs.jobType, filter.jobType) : undefined,
            afterCursor(generationJobs.createdAt, generationJobs.id, filter.cursor, scope),
          ),
          limit: limit + 1,
        },
        { table: videoProjects, where: [eq(videoProjects.id, projectId), eq(videoProjects.userId, userId)] },
      );
      const jobs = rowsUnderParent(rows);
      if (!jobs) throw new NotFoundError('project');
      return toBudgetedPage(jobs, limit, scope);
    },

    /** QUEUED → PROCESSING; records when it started. */
    async markProcessing(jobId: string): Promise<Job> {
      const [row] = await db
        .update(generationJobs)
        .set({ status: 'PROCESSING', startedAt: new Date() })
        .where(
          and(eq(generationJobs.id, jobId), inArray(generationJobs.status, allowedSources('PROCESSING'))),
        )
        .returning();
      if (!row) throw new ConflictError('The job is not QUEUED; it cannot start.');
      return row;
    },

    /**
     * Ends a QUEUED or PROCESSING job as FAILED and releases the storage reserved for it (an upload's);
     * returns undefined when it had already ended.
     */
    async markFailed(jobId: string, errorMessage: string): Promise<Job | undefined> {
      return fail(null, jobId, errorMessage.slice(0, 2000));
    },

    /** Cancels the caller's job if it is still active (and releases its reservation, as markFailed does). */
    async cancel(userId: string, jobId: string, message = CANCELLED_BY_USER): Promise<Job> {
      const ended = await fail(userId, jobId, message);
      if (ended) return ended;
      const existing = await get(userId, jobId);
      throw new ConflictError(
        `The job is already ${existing.status}; only QUEUED or PROCESSING jobs can be cancelled.`,
      );
    },

    /**
     * Records a job that never ran as FAILED (an upload refused or abandoned before its job existed); a job
     * that already exists is left as it is. Nothing is recorded when the project is gone, nor for an upload
     * its owner cancelled (a cancel commits after the caller asked: uploads/ingest.ts).
     */
    async recordFailed(
      input: Omit<NewJob, 'concurrentLimit' | 'jobsPerMinute' | 'whenFull'> & {
        id: string;
        errorMessage: string;
      },
    ) {
      await db.execute(sql`
        INSERT INTO generation_jobs (id, project_id, user_id, job_type, prompt, parameters, status, error_message,
                                     completed_at)
        SELECT ${input.id}::uuid, id, user_id, ${input.jobType}, ${input.prompt}, ${JSON.stringify(input.parameters)}::jsonb,
               'FAILED', ${input.errorMessage.slice(0, 2000)}, now()
        FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid
          AND NOT EXISTS (SELECT 1 FROM cancelled_uploads WHERE id = ${input.id}::uuid)
        ON CONFLICT (id) DO NOTHING`);
    },

    /** Progress only grows, stays within 0–100, and only while the job runs. */
    async reportProgress(jobId: string, progress: number): Promise<void> {
      const value = Math.max(0, Math.min(100, Math.floor(progress)));
      await db
        .update(generationJobs)
        .set({ progress: sql`GREATEST(${generationJobs.progress}, ${value}::int)` })
        .where(and(eq(generationJobs.id, jobId), eq(generationJobs.status, 'PROCESSING')));
    },

    /** For the pipeline: the job with its sources, whoever owns it. */
    getForPipeline: (jobId: string): Promise<JobWithSources> => get(null, jobId),

    /**
     * Admitted jobs still QUEUED that were created before `before` (the stuck-start sweep's candidates),
     * oldest first, `limit` at a time, from after `after` (the last one of the previous page). The
     * condition is written as the partial index's, so the index answers it.
     */
    async listQueuedAdmitted(
      before: Date,
      limit: number,
      after?: Pick<Job, 'createdAt' | 'id'>,
    ): Promise<SweepCandidate[]> {
      return db
        .select(sweepColumns)
        .from(generationJobs)
        .where(
          and(
            sql`${generationJobs.status} = 'QUEUED' AND ${generationJobs.admitted}`,
            lt(generationJobs.createdAt, before),
            after
              ? sql`(${generationJobs.createdAt}, ${generationJobs.id}) > (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(generationJobs.createdAt), asc(generationJobs.id))
        .limit(limit);
    },

    /**
     * Jobs PROCESSING since before `before` (the stuck-job sweep's candidates past the execution timeout),
     * oldest start first, `limit` at a time, from after `after`; the partial index answers it.
     */
    async listProcessingStartedBefore(
      before: Date,
      limit: number,
      after?: Pick<Job, 'startedAt' | 'id'>,
    ): Promise<SweepCandidate[]> {
      return db
        .select(sweepColumns)
        .from(generationJobs)
        .where(
          and(
            sql`${generationJobs.status} = 'PROCESSING'`,
            lt(generationJobs.startedAt, before),
            after?.startedAt
              ? sql`(${generationJobs.startedAt}, ${generationJobs.id}) > (${after.startedAt.toISOString()}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(generationJobs.startedAt), asc(generationJobs.id))
        .limit(limit);
    },

    /**
     * Whether any job is QUEUED (admitted or waiting for a slot) or PROCESSING: the stuck-job sweep rests
     * only when none is.
     */
    async anyActive(): Promise<boolean> {
      const rows = await db
        .select({ id: generationJobs.id })
        .from(generationJobs)
        // Written as a literal, as the partial index's condition, so the index answers it.
        .where(sql`${generationJobs.status} IN ('QUEUED', 'PROCESSING')`)
        .limit(1);
      return rows.length > 0;
    },

    /** Jobs left QUEUED or PROCESSING (the local server resumes or fails them on start). */
    async listActive(): Promise<Job[]> {
      return db
        .select()
        .from(generationJobs)
        .where(inArray(generationJobs.status, [...ACTIVE_JOB_STATUSES]));
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;
