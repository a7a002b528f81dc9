import { and, eq, ilike, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { insertWithinBound } from '../db/owned-bound.ts';
import { ownedRowByPlaceholders } from '../db/owned-row.ts';
import {
  afterCursor,
  budgetedPage,
  type Page,
  type PageRequest,
  pageLimit,
  toBudgetedPage,
} from '../db/pagination.ts';
import { andAtVersion, atVersion, ROW_VERSION, type Versioned } from '../db/row-version.ts';
import { containsPattern, rawRows } from '../db/sql.ts';
import { type ProjectRow, videoProjects } from '../db/tables.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../errors.ts';
import { failActiveJobs } from '../jobs/fail-statement.ts';
import type { ProjectStatus } from './status.ts';

export type Project = ProjectRow;

/** A user holds at most this many projects (each may hold any number of clips and jobs). */
export const MAX_PROJECTS = 1000;

export interface NewProject {
  title: string;
  description?: string | null;
  settings?: Record<string, unknown>;
}

export interface ProjectPatch {
  title?: string;
  description?: string | null;
  status?: ProjectStatus;
  settings?: Record<string, unknown>;
}

export interface ProjectFilter extends PageRequest {
  status?: ProjectStatus;
  q?: string;
}

export interface DeletedProject {
  /** Object keys of every clip's media; the caller deletes them (and the project's prefix). */
  mediaKeys: string[];
  freedBytes: number;
  /** The jobs still QUEUED or PROCESSING that the deletion ended (FAILED with PROJECT_DELETED) and removed. */
  endedJobIds: string[];
}

/** Why a job that its project's deletion ended failed. */
export const PROJECT_DELETED = 'The project was deleted while the job ran.';

const own = (userId: string, id: string) => and(eq(videoProjects.id, id), eq(videoProjects.userId, userId));

/**
 * A page of the user's projects matching `where` (newest first, `limit` rows at most), cut short before the
 * Data API's answer gets too large.
 */
function pageQuery(db: Database, where: SQL | undefined, limit: number | Placeholder) {
  const rowBytes = sql<string>`octet_length(${videoProjects.title}) + octet_length(${videoProjects.settings}::text) + coalesce(octet_length(${videoProjects.description}), 0)`;
  return budgetedPage(db, videoProjects, { rowBytes, where, limit });
}

/**
 * The hot reads as prepared statements, built on first use: drizzle builds their SQL once (not per request)
 * and node-postgres has the server parse it once per connection. The casts keep the parameters' types on
 * every driver (the Data API sends a placeholder's value untyped).
 */
function preparedReads(db: Database) {
  return {
    get: db
      .select()
      .from(videoProjects)
      .where(ownedRowByPlaceholders(videoProjects.id, videoProjects.userId))
      .prepare('projects_get'),
    /** A list's first page with no filter: what a client asks for most. */
    firstPage: pageQuery(
      db,
      sql`${videoProjects.userId} = ${sql.placeholder('userId')}::uuid`,
      sql.placeholder('limit'),
    ).prepare('projects_first_page'),
  };
}

export function createProjectRepository(db: Database) {
  let prepared: ReturnType<typeof preparedReads> | undefined;
  const reads = () => {
    prepared ??= preparedReads(db);
    return prepared;
  };
  return {
    /** Refused when the user already holds MAX_PROJECTS projects. */
    create(userId: string, input: NewProject): Promise<Project> {
      return insertWithinBound(
        db,
        videoProjects,
        {
          userId,
          counter: 'project_count',
          most: MAX_PROJECTS,
          refusal: () =>
            new ConflictError(
              `You already have ${MAX_PROJECTS} projects, the most an account may hold; delete one you no longer need first.`,
            ),
        },
        { title: input.title, description: input.description ?? null, settings: input.settings ?? {} },
      );
    },

    async get(userId: string, id: string): Promise<Project> {
      const [row] = await reads().get.execute({ id, userId });
      if (!row) throw new NotFoundError('project');
      return row;
    },

    /** The project with its row version, for a write conditioned on it (If-Match). */
    async getVersioned(userId: string, id: string): Promise<Versioned<Project>> {
      const [found] = await db
        .select({ row: videoProjects, version: ROW_VERSION })
        .from(videoProjects)
        .where(own(userId, id));
      if (!found) throw new NotFoundError('project');
      return found;
    },

    /** With `ifVersion`, only while the row is still at that version (412 otherwise, nothing written). */
    async update(userId: string, id: string, patch: ProjectPatch, ifVersion?: string): Promise<Project> {
      const [row] = await db
        .update(videoProjects)
        .set({ ...patch, updatedAt: new Date() })
        .where(and(own(userId, id), atVersion(ifVersion)))
        .returning();
      if (!row)
        throw ifVersion === undefined ? new NotFoundError('project') : new PreconditionFailedError('project');
      return row;
    },

    /** Newest first; a page stops early (with a cursor) before the Data API's answer gets too large. */
    async list(userId: string, filter: ProjectFilter = {}): Promise<Page<Project>> {
      const limit = pageLimit(filter.limit);
      const scope = `projects:${userId}`;
      if (!filter.status && !filter.q && !filter.cursor) {
        return toBudgetedPage(await reads().firstPage.execute({ userId, limit: limit + 1 }), limit, scope);
      }
      const rows = await pageQuery(
        db,
        and(
          eq(videoProjects.userId, userId),
          filter.status ? eq(videoProjects.status, filter.status) : undefined,
          filter.q ? ilike(videoProjects.title, containsPattern(filter.q)) : undefined,
          afterCursor(videoProjects.createdAt, videoProjects.id, filter.cursor, scope),
        ),
        limit + 1,
      );
      return toBudgetedPage(rows, limit, scope);
    },

    /**
     * Deletes the project (its clips and jobs cascade) and gives the clips' bytes back to the owner; returns
     * the media keys to remove from the object store, and the jobs it ended (QUEUED or PROCESSING ones, now
     * FAILED and gone), whose executions the caller stops.
     *
     * The owner's row is locked first, in a statement of its own: a job's insert takes that lock before it
     * checks the project, so every job inserted before the lock was granted is committed and visible to the
     * statements after it (READ COMMITTED gives each statement a new snapshot), and every one after it waits
     * and then finds no project. Within one statement a job committed while the deletion waited would be
     * missed by its snapshot yet still removed by the cascade, its execution left running.
     *
     * The clips are deleted by the statement itself, and only the bytes of those it deleted are freed: a clip
     * whose own deletion commits while this one waits is not returned by the DELETE, whereas a sum over a read
     * of the clips (the statement's snapshot) would free its bytes a second time.
     *
     * With `ifVersion`, only while the project's row is still at that version: otherwise 412, and the whole
     * transaction (jobs ended included) is rolled back.
     */
    remove(userId: string, id: string, ifVersion?: string): Promise<DeletedProject> {
      return db.transaction(async (tx) => {
        const [owner] = await rawRows<{ id: string }>(
          tx,
          sql`SELECT id::text FROM users WHERE id = ${userId}::uuid FOR NO KEY UPDATE`,
        );
        if (!owner) throw new NotFoundError('project');
        const ended = await rawRows<{ id: string }>(
          tx,
          sql`
          WITH ${failActiveJobs(
            sql`j.project_id = ${id}::uuid AND j.user_id = ${userId}::uuid
                AND EXISTS (SELECT 1 FROM video_projects p WHERE p.id = ${id}::uuid AND p.user_id = ${userId}::uuid
                            ${andAtVersion(ifVersion, sql`p.xmin`)})`,
            PROJECT_DELETED,
          )}
          SELECT id::text FROM job`,
        );
        const rows = await rawRows<{
          deleted: string | null;
          file_url: string | null;
          thumbnail_url: string | null;
          freed: string;
        }>(
          tx,
          sql`
          WITH deleted AS (
            DELETE FROM video_projects WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
              ${andAtVersion(ifVersion)}
            RETURNING id
          ), doomed AS (
            DELETE FROM video_clips
            WHERE project_id = ${id}::uuid AND user_id = ${userId}::uuid
              AND EXISTS (SELECT 1 FROM deleted)
            RETURNING file_url, thumbnail_url, storage_bytes
          ), freed AS (
            UPDATE users SET storage_used = storage_used - (SELECT coalesce(sum(storage_bytes), 0) FROM doomed),
                   updated_at = now()
            WHERE id = ${userId}::uuid AND EXISTS (SELECT 1 FROM deleted)
            RETURNING id
          )
          SELECT d.id::text AS deleted, c.file_url, c.thumbnail_url,
                 (SELECT coalesce(sum(storage_bytes), 0) FROM doomed)::text AS freed
          FROM deleted d LEFT JOIN doomed c ON true`,
        );
        if (rows.length === 0) {
          throw ifVersion === undefined
            ? new NotFoundError('project')
            : new PreconditionFailedError('project');
        }
        const mediaKeys = rows.flatMap((r) => [r.file_url, r.thumbnail_url]).filter((k): k is string => !!k);
        return { mediaKeys, freedBytes: Number(rows[0]?.freed ?? 0), endedJobIds: ended.map((j) => j.id) };
      });
    },
  };
}

export type ProjectRepository = ReturnType<typeof createProjectRepository>;
