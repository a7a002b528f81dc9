import { and, eq, ilike, or, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sqlErrorInfo, UNIQUE_VIOLATION } from '../db/errors.ts';
import { insertWithinBound } from '../db/owned-bound.ts';
import {
  afterCursor,
  budgetedPage,
  type Page,
  type PageRequest,
  pageLimit,
  toBudgetedPage,
} from '../db/pagination.ts';
import { atVersion, ROW_VERSION, type Versioned } from '../db/row-version.ts';
import { containsPattern } from '../db/sql.ts';
import { type TemplateRow, templates } from '../db/tables.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../errors.ts';
import type { TemplateCategory } from './categories.ts';

export type Template = TemplateRow;

/** A user creates at most this many templates (public ones included). */
export const MAX_TEMPLATES = 500;

export interface NewTemplate {
  name: string;
  description?: string;
  category: TemplateCategory;
  prompt: string;
  parameters?: Record<string, unknown>;
  isPublic?: boolean;
  thumbnailUrl?: string | null;
}

export type TemplatePatch = Partial<NewTemplate>;

export interface TemplateFilter extends PageRequest {
  category?: TemplateCategory;
  q?: string;
  /** Only public templates (the cacheable catalogue). */
  publicOnly?: boolean;
}

const visibleTo = (userId: string) => or(eq(templates.isPublic, true), eq(templates.createdBy, userId));
const ownedBy = (userId: string, id: string) => and(eq(templates.id, id), eq(templates.createdBy, userId));
/** No row written: absent, or (for a conditional write) changed since its version was read. */
const missing = (ifVersion: string | undefined) =>
  ifVersion === undefined ? new NotFoundError('template') : new PreconditionFailedError('template');

function duplicateName(error: unknown): never {
  const info = sqlErrorInfo(error);
  if (info.sqlState === UNIQUE_VIOLATION && info.constraint === 'templates_creator_name_lower_key') {
    throw new ConflictError(
      'You already have a template with this name; names that differ only in case are the same name.',
    );
  }
  throw error;
}

export function createTemplateRepository(db: Database) {
  return {
    /** Refused when the user already created MAX_TEMPLATES templates (and still holds them). */
    create(userId: string, input: NewTemplate): Promise<Template> {
      return insertWithinBound(
        db,
        templates,
        {
          userId,
          counter: 'template_count',
          ownerColumn: 'created_by',
          most: MAX_TEMPLATES,
          refusal: () =>
            new ConflictError(
              `You already have ${MAX_TEMPLATES} templates, the most an account may hold; delete one you no longer need first.`,
            ),
        },
        {
          name: input.name,
          description: input.description ?? '',
          category: input.category,
          prompt: input.prompt,
          parameters: input.parameters ?? {},
          isPublic: input.isPublic ?? false,
          thumbnailUrl: input.thumbnailUrl ?? null,
        },
      ).catch(duplicateName);
    },

    /** Public templates for everyone; private ones only for their creator. */
    async get(userId: string, id: string): Promise<Template> {
      const [row] = await db
        .select()
        .from(templates)
        .where(and(eq(templates.id, id), visibleTo(userId)));
      if (!row) throw new NotFoundError('template');
      return row;
    },

    /**
     * One of the caller's own templates with its row version, for a write conditioned on it (If-Match); a
     * public template of someone else is not found, as its writes are.
     */
    async getVersioned(userId: string, id: string): Promise<Versioned<Template>> {
      const [found] = await db
        .select({ row: templates, version: ROW_VERSION })
        .from(templates)
        .where(ownedBy(userId, id));
      if (!found) throw new NotFoundError('template');
      return found;
    },

    /** With `ifVersion`, only while the row is still at that version (412 otherwise, nothing written). */
    async update(userId: string, id: string, patch: TemplatePatch, ifVersion?: string): Promise<Template> {
      const [row] = await db
        .update(templates)
        .set({ ...patch, updatedAt: new Date() })
        .where(and(ownedBy(userId, id), atVersion(ifVersion)))
        .returning()
        .catch(duplicateName);
      if (!row) throw missing(ifVersion);
      return row;
    },

    async remove(userId: string, id: string, ifVersion?: string): Promise<void> {
      const rows = await db
        .delete(templates)
        .where(and(ownedBy(userId, id), atVersion(ifVersion)))
        .returning({ id: templates.id });
      if (rows.length === 0) throw missing(ifVersion);
    },

    /** Newest first; a page stops early (with a cursor) before the Data API's answer gets too large. */
    async list(userId: string | null, filter: TemplateFilter = {}): Promise<Page<Template>> {
      const limit = pageLimit(filter.limit);
      const scope = `templates:${filter.publicOnly || !userId ? 'public' : userId}`;
      const rowBytes = sql<string>`octet_length(${templates.prompt}) + octet_length(${templates.parameters}::text) + coalesce(octet_length(${templates.description}), 0)`;
      const rows = await budgetedPage(db, templates, {
        rowBytes,
        where: and(
          filter.publicOnly || !userId ? eq(templates.isPublic, true) : visibleTo(userId),
          filter.category ? eq(templates.category, filter.category) : undefined,
          filter.q ? ilike(templates.name, containsPattern(filter.q)) : undefined,
          afterCursor(templates.createdAt, templates.id, filter.cursor, scope),
        ),
        limit: limit + 1,
      });
      return toBudgetedPage(rows, limit, scope);
    },

    /** Counts one use atomically, if the caller may see the template; returns it. */
    async recordUse(userId: string, id: string): Promise<Template> {
      const [row] = await db
        .update(templates)
        .set({ usageCount: sql`${templates.usageCount} + 1` })
        .where(and(eq(templates.id, id), visibleTo(userId)))
        .returning();
      if (!row) throw new NotFoundError('template');
      return row;
    },
  };
}

export type TemplateRepository = ReturnType<typeof createTemplateRepository>;
