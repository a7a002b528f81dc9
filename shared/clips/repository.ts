import { randomUUID } from 'node:crypto';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sqlErrorInfo } from '../db/errors.ts';
import { ownedRowByPlaceholders } from '../db/owned-row.ts';
import {
  afterCursor,
  budgetedPageUnder,
  type Page,
  type PageRequest,
  pageLimit,
  rowsUnderParent,
  toBudgetedPage,
} from '../db/pagination.ts';
import { andAtVersion, atVersion, ROW_VERSION, type Versioned } from '../db/row-version.ts';
import { rawRows } from '../db/sql.ts';
import { type ClipRow, users, videoClips, videoProjects } from '../db/tables.ts';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  QuotaExceededError,
  ValidationError,
} from '../errors.ts';
import { lapsed } from '../uploads/reservations.ts';
import type { ClipSystem } from './system.ts';

export type Clip = ClipRow;
/** A clip as a job's source: what the pipeline reads, without the user's title and metadata. */
export type SourceClip = Omit<Clip, 'title' | 'metadata'>;

export interface NewClip {
  /** Chosen by the caller when the media keys already contain it. */
  id?: string;
  userId: string;
  projectId: string;
  title: string;
  duration: number;
  fileUrl: string;
  thumbnailUrl?: string | null;
  /** Bytes of the MP4. */
  fileSize: number;
  /** Bytes of every object of the clip, charged to the owner; the MP4's bytes when it is the only one. */
  storageBytes?: number;
  resolution: string;
  format: string;
  metadata?: Record<string, unknown>;
  system?: ClipSystem;
  /**
   * When given, the job (which must be PROCESSING) is completed with this clip in the same statement, and
   * the template it was made from (if any) counts one more use.
   */
  jobId?: string;
}

/** All a request may change: the title and the user's own metadata (never `system` or media keys). */
export interface ClipPatch {
  title?: string;
  metadata?: Record<string, unknown>;
}

const own = (userId: string, id: string) => and(eq(videoClips.id, id), eq(videoClips.userId, userId));

/** The list a cursor of a project's clips belongs to (see ListScope). */
export const clipListScope = (userId: string, projectId: string) => `clips:${userId}:${projectId}`;

export function createClipRepository(db: Database) {
  // Built on first use, as the project reads are (see projects/repository.ts).
  let getStatement: ReturnType<typeof prepareGet> | undefined;
  function prepareGet() {
    return db
      .select()
      .from(videoClips)
      .where(ownedRowByPlaceholders(videoClips.id, videoClips.userId))
      .prepare('clips_get');
  }

  async function get(userId: string, id: string): Promise<Clip> {
    getStatement ??= prepareGet();
    const [row] = await getStatement.execute({ id, userId });
    if (!row) throw new NotFoundError('clip');
    return row;
  }

  /**
   * Deletes the clip and gives its bytes back in one statement; returns its project, whose id (with the
   * owner's and the clip's) names the folder of its media. The owner's row is locked before the clip's, the
   * order a project's deletion takes them in, so the two cannot deadlock. With `ifVersion`, only while the
   * clip's row is still at that version (412 otherwise, nothing written).
   */
  async function remove(
    userId: string,
    id: string,
    ifVersion?: string,
  ): Promise<{ projectId: string; freedBytes: number }> {
    const rows = await rawRows<{ project_id: string; storage_bytes: string }>(
      db,
      sql`
        WITH owner AS (
          SELECT id FROM users WHERE id = ${userId}::uuid FOR NO KEY UPDATE
        ), deleted AS (
          DELETE FROM video_clips WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
            AND EXISTS (SELECT 1 FROM owner) ${andAtVersion(ifVersion)}
          RETURNING project_id, storage_bytes
        ), freed AS (
          -- Through the function: the owner's row, locked above, is written once (migration 0022).
          SELECT add_user_storage(${userId}::uuid, -storage_bytes, 0::bigint) FROM deleted
        )
        SELECT project_id::text, storage_bytes::text FROM deleted, freed`,
    );
    const row = rows[0];
    if (!row) throw ifVersion === undefined ? new NotFoundError('clip') : new PreconditionFailedError('clip');
    return { projectId: row.project_id, freedBytes: Number(row.storage_bytes) };
  }

  /**
   * A lateral subquery walks the (project_id, created_at, id) index from the cursor and stops after
   * limit+1 rows; the outer project row (one, or none if not the caller's) tells "empty" from "not yours".
   */
  /** A page of a project's clips, cut short (with a cursor) before the Data API's answer gets too large. */
  function listByProjectQuery(userId: string, projectId: string, page: PageRequest) {
    const limit = pageLimit(page.limit);
    const rowBytes = sql<string>`octet_length(${videoClips.title}) + octet_length(${videoClips.metadata}::text) + octet_length(${videoClips.system}::text)`;
    return budgetedPageUnder(
      db,
      videoClips,
      {
        rowBytes,
        where: and(
          eq(videoClips.projectId, projectId),
          afterCursor(videoClips.createdAt, videoClips.id, page.cursor, clipListScope(userId, projectId)),
        ),
        limit: limit + 1,
      },
      { table: videoProjects, where: [eq(videoProjects.id, projectId), eq(videoProjects.userId, userId)] },
    );
  }

  return {
    get,

    /**
     * Charges the owner's quota and inserts the clip in one statement, so concurrent registrations can
     * never take storage_used past storage_limit; with a jobId the job turns COMPLETED in that statement too,
     * and the job's upload reservation (and any expired one) is converted into the charge: nothing is
     * counted twice. The quota holds through users_storage_reserved_range (used + reserved <= limit),
     * checked on the row as it is after the lock.
     */
    async register(input: NewClip): Promise<Clip> {
      const id = input.id ?? randomUUID();
      const charge = input.storageBytes ?? input.fileSize;
      const jobGuard = input.jobId
        ? sql`AND EXISTS (SELECT 1 FROM generation_jobs WHERE id = ${input.jobId}::uuid
                AND user_id = ${input.userId}::uuid AND status = 'PROCESSING')`
        : sql``;
      const jobUpdate = input.jobId
        ? sql`, job AS (
            UPDATE generation_jobs SET status = 'COMPLETED', progress = 100, clip_id = ${id}::uuid,
                   completed_at = now(), error_message = NULL
            WHERE id = ${input.jobId}::uuid AND status = 'PROCESSING' AND EXISTS (SELECT 1 FROM clip)
            RETURNING id, template_id
          ), used AS (
            UPDATE templates SET usage_count = usage_count + 1
            WHERE id = (SELECT template_id FROM job)
            RETURNING id)`
        : sql``;
      const rows = await rawRows<{
        clip_id: string | null;
        project_found: number;
        job_running: number;
        job_done: number;
      }>(
        db,
        sql`
        WITH ready AS (
          SELECT id FROM users WHERE id = ${input.userId}::uuid
            AND EXISTS (SELECT 1 FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid)
            ${jobGuard}
          FOR NO KEY UPDATE
        ), released AS (
          DELETE FROM upload_reservations
          WHERE user_id = ${input.userId}::uuid AND (id = ${input.jobId ?? null}::uuid OR ${lapsed})
            AND EXISTS (SELECT 1 FROM ready)
          RETURNING bytes
        ), charged AS (
          -- Through the function: the owner's row, locked above, is written once (migration 0022).
          SELECT add_user_storage(id, ${charge}::bigint, -(SELECT COALESCE(sum(bytes), 0) FROM released)::bigint) AS id
          FROM ready
        ), clip AS (
          INSERT INTO video_clips (id, project_id, user_id, title, duration, file_url, thumbnail_url, file_size,
                                   storage_bytes, resolution, format, metadata, system)
          SELECT ${id}::uuid, ${input.projectId}::uuid, ${input.userId}::uuid, ${input.title}, ${input.duration}::float8,
                 ${input.fileUrl}, ${input.thumbnailUrl ?? null}, ${input.fileSize}::bigint, ${charge}::bigint,
                 ${input.resolution}, ${input.format}, ${JSON.stringify(input.metadata ?? {})}::jsonb,
                 ${JSON.stringify(input.system ?? {})}::jsonb
          FROM charged
          RETURNING id
        )${jobUpdate}
        SELECT (SELECT id::text FROM clip) AS clip_id,
               (SELECT count(*)::int FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid) AS project_found,
               ${
                 input.jobId
                   ? sql`(SELECT count(*)::int FROM generation_jobs WHERE id = ${input.jobId}::uuid AND status = 'PROCESSING')`
                   : sql`1`
               } AS job_running,
               ${input.jobId ? sql`(SELECT count(*)::int FROM job)` : sql`1`} AS job_done`,
      ).catch(async (error: unknown) => {
        const info = sqlErrorInfo(error);
        if (
          info.constraint === 'users_storage_reserved_range' ||
          info.constraint === 'users_storage_used_range'
        ) {
          // The statement's snapshot predates concurrent charges, so read what remains now for the message.
          const [owner] = await db.select().from(users).where(eq(users.id, input.userId));
          throw new QuotaExceededError(
            charge,
            owner ? owner.storageLimit - owner.storageUsed - owner.storageReserved : 0,
          );
        }
        if (info.sqlState === '23514')
          throw new ValidationError(`The clip breaks a rule (${info.constraint}).`);
        throw error;
      });
      const result = rows[0];
      if (!result?.clip_id) {
        if (!result?.project_found) throw new NotFoundError('project');
        throw new ConflictError('The job is no longer running; its clip was not registered.');
      }
      if (!result.job_done) {
        // The job was cancelled between the guard and the update: undo the registration.
        await remove(input.userId, result.clip_id);
        throw new ConflictError('The job is no longer running; its clip was not registered.');
      }
      return get(input.userId, result.clip_id);
    },

    /** The clip with its row version, for a write conditioned on it (If-Match). */
    async getVersioned(userId: string, id: string): Promise<Versioned<Clip>> {
      const [found] = await db
        .select({ row: videoClips, version: ROW_VERSION })
        .from(videoClips)
        .where(own(userId, id));
      if (!found) throw new NotFoundError('clip');
      return found;
    },

    /** With `ifVersion`, only while the row is still at that version (412 otherwise, nothing written). */
    async update(userId: string, id: string, patch: ClipPatch, ifVersion?: string): Promise<Clip> {
      const [row] = await db
        .update(videoClips)
        .set({
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.metadata !== undefined ? { metadata: patch.metadata } : {}),
          updatedAt: new Date(),
        })
        .where(and(own(userId, id), atVersion(ifVersion)))
        .returning();
      if (!row)
        throw ifVersion === undefined ? new NotFoundError('clip') : new PreconditionFailedError('clip');
      return row;
    },

    remove,

    /** Clips of one of the caller's projects; another user's project reads as not found. */
    listByProjectQuery,

    async listByProject(userId: string, projectId: string, page: PageRequest = {}): Promise<Page<Clip>> {
      const clips = rowsUnderParent(await listByProjectQuery(userId, projectId, page));
      if (!clips) throw new NotFoundError('project');
      return toBudgetedPage(clips, pageLimit(page.limit), clipListScope(userId, projectId));
    },

    /**
     * The caller's clips among `ids` (for job sources); missing or foreign ids are simply absent. Without
     * title and metadata, which no job reads: an EDIT names up to 150 clips, and 150 rows of user metadata
     * (16 KiB each) would be more than the Data API's 1 MiB answer.
     */
    async getMany(userId: string, ids: readonly string[]): Promise<SourceClip[]> {
      if (ids.length === 0) return [];
      const { title: _title, metadata: _metadata, ...columns } = getTableColumns(videoClips);
      return db
        .select(columns)
        .from(videoClips)
        .where(
          and(
            eq(videoClips.userId, userId),
            sql`${videoClips.id} IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
          ),
        );
    },
  };
}

export type ClipRepository = ReturnType<typeof createClipRepository>;
