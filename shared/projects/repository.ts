import { and, desc, eq, ilike, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { afterCursor, type Page, type PageRequest, pageLimit, toPage } from '../db/pagination.ts';
import { containsPattern, rawRows } from '../db/sql.ts';
import { type ProjectRow, videoProjects } from '../db/tables.ts';
import { NotFoundError } from '../errors.ts';
import type { ProjectStatus } from './status.ts';

export type Project = ProjectRow;

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
}

const own = (userId: string, id: string) => and(eq(videoProjects.id, id), eq(videoProjects.userId, userId));

export function createProjectRepository(db: Database) {
  return {
    async create(userId: string, input: NewProject): Promise<Project> {
      const [row] = await db
        .insert(videoProjects)
        .values({
          userId,
          title: input.title,
          description: input.description ?? null,
          settings: input.settings ?? {},
        })
        .returning();
      return row!;
    },

    async get(userId: string, id: string): Promise<Project> {
      const [row] = await db.select().from(videoProjects).where(own(userId, id));
      if (!row) throw new NotFoundError('project');
      return row;
    },

    async update(userId: string, id: string, patch: ProjectPatch): Promise<Project> {
      const [row] = await db
        .update(videoProjects)
        .set({ ...patch, updatedAt: new Date() })
        .where(own(userId, id))
        .returning();
      if (!row) throw new NotFoundError('project');
      return row;
    },

    async list(userId: string, filter: ProjectFilter = {}): Promise<Page<Project>> {
      const limit = pageLimit(filter.limit);
      const rows = await db
        .select()
        .from(videoProjects)
        .where(
          and(
            eq(videoProjects.userId, userId),
            filter.status ? eq(videoProjects.status, filter.status) : undefined,
            filter.q ? ilike(videoProjects.title, containsPattern(filter.q)) : undefined,
            afterCursor(videoProjects.createdAt, videoProjects.id, filter.cursor),
          ),
        )
        .orderBy(desc(videoProjects.createdAt), desc(videoProjects.id))
        .limit(limit + 1);
      return toPage(rows, limit);
    },

    /**
     * Deletes the project (its clips and jobs cascade) and gives the clips' bytes back to the owner, in one
     * statement; returns the media keys to remove from the object store.
     */
    async remove(userId: string, id: string): Promise<DeletedProject> {
      const rows = await rawRows<{
        deleted: string | null;
        file_url: string | null;
        thumbnail_url: string | null;
        freed: string;
      }>(
        db,
        sql`
        WITH doomed AS (
          SELECT file_url, thumbnail_url, storage_bytes FROM video_clips
          WHERE project_id = ${id}::uuid AND user_id = ${userId}::uuid
        ), deleted AS (
          DELETE FROM video_projects WHERE id = ${id}::uuid AND user_id = ${userId}::uuid RETURNING id
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
      if (rows.length === 0) throw new NotFoundError('project');
      const mediaKeys = rows.flatMap((r) => [r.file_url, r.thumbnail_url]).filter((k): k is string => !!k);
      return { mediaKeys, freedBytes: Number(rows[0]?.freed ?? 0) };
    },
  };
}

export type ProjectRepository = ReturnType<typeof createProjectRepository>;
