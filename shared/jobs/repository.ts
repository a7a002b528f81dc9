import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { afterCursor, type Page, type PageRequest, pageLimit, toPage } from '../db/pagination.ts';
import { rawRows } from '../db/sql.ts';
import { generationJobs, type JobRow, jobSourceClips, videoProjects } from '../db/tables.ts';
import { ConflictError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import { ACTIVE_JOB_STATUSES, allowedSources, type JobStatus, type JobType } from './status.ts';

export type Job = JobRow;
export type JobWithSources = Job & { sourceClipIds: string[] };

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
  /** The tier's limit of QUEUED + PROCESSING jobs. */
  concurrentLimit: number;
}

export interface JobFilter extends PageRequest {
  status?: JobStatus;
  jobType?: JobType;
}

const own = (userId: string, id: string) => and(eq(generationJobs.id, id), eq(generationJobs.userId, userId));

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

  return {
    get: (userId: string, id: string) => get(userId, id),

    /**
     * Inserts a QUEUED job with its source clips in one statement, only if the project and every source
     * clip belong to the caller, the template (if any) is visible to them, and fewer than `concurrentLimit`
     * of their jobs are active. The template's use is counted when the job completes (clips' register).
     */
    async create(input: NewJob): Promise<JobWithSources> {
      const sources = JSON.stringify(input.sourceClipIds ?? []);
      const templateId = input.templateId ?? null;
      const rows = await rawRows<{
        job_id: string | null;
        project_found: number;
        active: number;
        sources_found: number;
        template_found: number;
      }>(
        db,
        sql`
        WITH owner AS (
          SELECT id FROM users WHERE id = ${input.userId}::uuid FOR UPDATE
        ), project AS (
          SELECT id FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid
        ), active AS (
          SELECT count(*)::int AS n FROM generation_jobs
          WHERE user_id = ${input.userId}::uuid AND status IN ('QUEUED', 'PROCESSING')
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
          INSERT INTO generation_jobs (id, project_id, user_id, job_type, prompt, parameters, template_id)
          SELECT COALESCE(${input.id ?? null}::uuid, gen_random_uuid()), project.id, owner.id, ${input.jobType}, ${input.prompt}, ${JSON.stringify(input.parameters)}::jsonb,
                 (SELECT id FROM template)
          FROM owner, project, active
          WHERE active.n < ${input.concurrentLimit}::int
            AND (SELECT count(*) FROM found) = (SELECT count(*) FROM wanted)
            AND (${templateId}::uuid IS NULL OR EXISTS (SELECT 1 FROM template))
          RETURNING id
        ), links AS (
          INSERT INTO job_source_clips (job_id, position, clip_id)
          SELECT job.id, found.position, found.clip_id FROM job, found
        )
        SELECT (SELECT id::text FROM job) AS job_id,
               (SELECT count(*)::int FROM project) AS project_found,
               (SELECT n FROM active) AS active,
               ((SELECT count(*) FROM found) = (SELECT count(*) FROM wanted))::int AS sources_found,
               (${templateId}::uuid IS NULL OR EXISTS (SELECT 1 FROM template))::int AS template_found`,
      );
      const r = rows[0];
      if (!r?.job_id) {
        if (!r?.project_found) throw new NotFoundError('project');
        if (!r.sources_found) throw new NotFoundError('source clip');
        if (!r.template_found) throw new NotFoundError('template');
        throw new TooManyRequestsError(
          `You already have ${r.active} active jobs, the most your tier allows; wait for one to finish.`,
          30,
        );
      }
      return get(input.userId, r.job_id);
    },

    /** Jobs of one of the caller's projects (another user's project reads as not found), newest first. */
    async list(userId: string, projectId: string, filter: JobFilter = {}): Promise<Page<Job>> {
      const limit = pageLimit(filter.limit);
      const pageOfJobs = db
        .select()
        .from(generationJobs)
        .where(
          and(
            eq(generationJobs.projectId, projectId),
            filter.status ? eq(generationJobs.status, filter.status) : undefined,
            filter.jobType ? eq(generationJobs.jobType, filter.jobType) : undefined,
            afterCursor(generationJobs.createdAt, generationJobs.id, filter.cursor),
          ),
        )
        .orderBy(desc(generationJobs.createdAt), desc(generationJobs.id))
        .limit(limit + 1)
        .as('page');
      const rows = await db
        .select()
        .from(videoProjects)
        .leftJoinLateral(pageOfJobs, sql`true`)
        .where(and(eq(videoProjects.id, projectId), eq(videoProjects.userId, userId)))
        .orderBy(desc(pageOfJobs.createdAt), desc(pageOfJobs.id));
      if (rows.length === 0) throw new NotFoundError('project');
      return toPage(
        rows.map((r) => r.page).filter((j): j is Job => j !== null),
        limit,
      );
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

    /** Ends a QUEUED or PROCESSING job as FAILED; returns undefined when it had already ended. */
    async markFailed(jobId: string, errorMessage: string): Promise<Job | undefined> {
      const [row] = await db
        .update(generationJobs)
        .set({ status: 'FAILED', errorMessage: errorMessage.slice(0, 2000), completedAt: new Date() })
        .where(and(eq(generationJobs.id, jobId), inArray(generationJobs.status, allowedSources('FAILED'))))
        .returning();
      return row;
    },

    /** Cancels the caller's job if it is still active. */
    async cancel(userId: string, jobId: string, message = 'Cancelled by user.'): Promise<Job> {
      const [row] = await db
        .update(generationJobs)
        .set({ status: 'FAILED', errorMessage: message, completedAt: new Date() })
        .where(and(own(userId, jobId), inArray(generationJobs.status, allowedSources('FAILED'))))
        .returning();
      if (row) return row;
      const existing = await get(userId, jobId);
      throw new ConflictError(
        `The job is already ${existing.status}; only QUEUED or PROCESSING jobs can be cancelled.`,
      );
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
