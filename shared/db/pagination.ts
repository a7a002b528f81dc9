import { createHash } from 'node:crypto';
import {
  and,
  type Column,
  desc,
  getTableColumns,
  isNull,
  or,
  type Placeholder,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { InvalidCursorError, ValidationError } from '../errors.ts';
import type { Database } from './database.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

interface CursorKey {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which list a cursor belongs to: its kind and whose it is (`projects:<userId>`, `clips:<userId>:<projectId>`).
 * A cursor carries a digest of it, so one sent to another list, or another user's, is refused (400) rather
 * than read as a position in a list it was never part of.
 */
export type ListScope = string;

const scopeTag = (scope: ListScope) => createHash('sha256').update(scope).digest('base64url').slice(0, 12);

export function encodeCursor(key: CursorKey, scope: ListScope): string {
  return Buffer.from(JSON.stringify([key.createdAt.toISOString(), key.id, scopeTag(scope)])).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string, scope: ListScope): CursorKey {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3) {
      const [at, id, tag] = parsed as unknown[];
      const createdAt = typeof at === 'string' ? new Date(at) : new Date(Number.NaN);
      if (
        typeof id === 'string' &&
        UUID.test(id) &&
        isIssuedTimestamp(createdAt, at) &&
        tag === scopeTag(scope)
      )
        return { createdAt, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}

/**
 * A cursor's timestamp is one this API wrote: the exact ISO form of a date in years 1–9999. JavaScript
 * dates reach ±275760, but PostgreSQL refuses year 0 and the six-digit `+010000-…` form, so anything else
 * is an invalid cursor (400), not a database error.
 */
function isIssuedTimestamp(date: Date, text: unknown): boolean {
  if (Number.isNaN(date.getTime())) return false;
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999 && date.toISOString() === text;
}

export function pageLimit(limit: number | undefined): number {
  const value = limit ?? 20;
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new ValidationError('limit must be an integer from 1 to 100', [
      { path: 'query.limit', message: '1–100' },
    ]);
  }
  return value;
}

/**
 * Newest first: rows strictly after the cursor in (created_at DESC, id DESC) order. A row comparison lets
 * PostgreSQL start the (…, created_at, id) index scan at the cursor. Timestamps are stored with millisecond
 * precision so the cursor's JavaScript Date matches the row exactly.
 */
export function afterCursor(
  createdAt: Column,
  id: Column,
  cursor: string | null | undefined,
  scope: ListScope,
): SQL | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor, scope);
  return sql`(${createdAt}, ${id}) < (${key.createdAt.toISOString()}::timestamptz, ${key.id}::uuid)`;
}

/** Takes limit+1 rows and turns the extra one into the next cursor. */
export function toPage<T extends CursorKey>(rows: T[], limit: number, scope: ListScope): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last, scope) : null };
}

/**
 * How many bytes of variable-size columns a page may carry. The RDS Data API answers at most 1 MiB per call
 * (with each row at most 64 KB), counted in its JSON, where fixed columns and escaped quotes add to the
 * values; half of that leaves room for both.
 */
export const PAGE_BYTE_BUDGET = 512 * 1024;

/** The running total of `rowBytes` along the page order (newest first), for cutting a page at the budget. */
export const bytesThrough = (rowBytes: SQL, createdAt: Column, id: Column) =>
  sql<string>`sum(${rowBytes}) over (order by ${createdAt} desc, ${id} desc)`;

/** Keeps the rows that start within the budget: the first always, and at most one row past it. */
export const startsWithinBudget = (through: SQL.Aliased | Column, rowBytes: SQL.Aliased | Column) =>
  sql`(${through} - ${rowBytes}) < ${PAGE_BYTE_BUDGET}`;

/**
 * toPage for rows kept by startsWithinBudget and carrying their running size (`bytesThrough`): when the
 * last row reached the budget, rows after it were left out, so the page ends there with a cursor to them.
 * The size columns are dropped.
 */
export function toBudgetedPage<T extends CursorKey>(
  rows: (T & { bytesThrough: unknown; rowBytes: unknown })[],
  limit: number,
  scope: ListScope,
): Page<T> {
  const items = rows.map(({ bytesThrough: _through, rowBytes: _bytes, ...row }) => row as unknown as T);
  const last = rows.slice(0, limit).at(-1);
  if (rows.length <= limit && last && Number(last.bytesThrough) >= PAGE_BYTE_BUDGET) {
    return { items, nextCursor: encodeCursor(items.at(-1)!, scope) };
  }
  return toPage(items, limit, scope);
}

/** A table listed newest first by its (created_at, id) columns. */
type ListedTable = PgTable & { createdAt: PgColumn; id: PgColumn };

/** What one budgeted page reads of a table. */
export interface BudgetedRead {
  /** Bytes of a row's variable-size columns (text, json): what makes an answer large. */
  rowBytes: SQL<string>;
  where: SQL | undefined;
  /** Rows at most: one more than the page (the extra one tells that a next page exists). */
  limit: number | Placeholder;
}

/** A row of a budgeted page: the table's row with its size and the running total (see toBudgetedPage). */
export type BudgetedRow<T extends PgTable> = T['$inferSelect'] & { rowBytes: string; bytesThrough: string };

/** A budgeted page's statement, to run, prepare or print as drizzle's select is. */
export interface BudgetedQuery<R> extends PromiseLike<R[]> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R[]> };
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * The subquery `page`: rows of `table` newest first, each with its size (`row_bytes`) and the running total
 * of sizes up to it (`bytes_through`).
 */
function sizedRows(db: Database, table: ListedTable, read: BudgetedRead) {
  const page = db
    .select({
      ...getTableColumns(table),
      rowBytes: read.rowBytes.as('row_bytes'),
      bytesThrough: bytesThrough(read.rowBytes, table.createdAt, table.id).as('bytes_through'),
    })
    .from(table)
    .where(read.where)
    .orderBy(desc(table.createdAt), desc(table.id))
    .limit(read.limit)
    .as('page');
  const keys = page as unknown as { createdAt: PgColumn; id: PgColumn };
  const kept = startsWithinBudget(page.bytesThrough, page.rowBytes);
  return { page, kept, newestFirst: [desc(keys.createdAt), desc(keys.id)], id: keys.id };
}

/**
 * One statement that reads a page of `table` newest first and stops early where the Data API's answer
 * would grow too large; its rows carry their sizes for toBudgetedPage.
 */
export function budgetedPage<T extends ListedTable>(
  db: Database,
  table: T,
  read: BudgetedRead,
): BudgetedQuery<BudgetedRow<T>> {
  const { page, kept, newestFirst } = sizedRows(db, table, read);
  const query = db
    .select()
    .from(page)
    .where(kept)
    .orderBy(...newestFirst);
  return query as unknown as BudgetedQuery<BudgetedRow<T>>;
}

/**
 * budgetedPage of the rows under one parent row (a project's clips or jobs), read beside the parent in the
 * same statement so that a missing parent (no row at all) differs from an empty page (the parent alone);
 * see rowsUnderParent.
 */
export function budgetedPageUnder<T extends ListedTable>(
  db: Database,
  table: T,
  read: BudgetedRead,
  parent: { table: PgTable; where: SQL[] },
): BudgetedQuery<{ page: BudgetedRow<T> | null }> {
  const { page, kept, newestFirst, id } = sizedRows(db, table, read);
  const query = db
    .select()
    .from(parent.table)
    .leftJoinLateral(page, sql`true`)
    .where(and(...parent.where, or(isNull(id), kept)))
    .orderBy(...newestFirst);
  return query as unknown as BudgetedQuery<{ page: BudgetedRow<T> | null }>;
}

/** The page's rows of a budgetedPageUnder answer; undefined when the parent row was not found. */
export function rowsUnderParent<R>(rows: { page: R | null }[]): R[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.map((r) => r.page).filter((row): row is R => row !== null);
}
