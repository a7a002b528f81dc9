import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { PAGE_BYTE_BUDGET } from '../db/pagination.ts';
import { rawRows } from '../db/sql.ts';

/** Columns never exported: credentials kept as hashes or secrets (password, API key, webhook secrets). */
const SECRET_COLUMN = /(hash|secret)/i;
const PAGE = 100;

/**
 * Every table with a `user_id` column, read from the catalog, so tables added later (webhooks, deliveries)
 * are exported without a change here.
 */
export async function tablesWithUserId(db: Database): Promise<string[]> {
  const rows = await rawRows<{ name: string }>(
    db,
    sql`SELECT table_name::text AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name = 'user_id'
        ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

/** Where each entity's rows are found: by `user_id`, plus the user's own row, templates and job sources. */
export async function ownedRowQueries(db: Database, userId: string): Promise<Record<string, SQL>> {
  const id = sql`${userId}::uuid`;
  const queries: Record<string, SQL> = {
    users: sql`SELECT row_to_json(t)::text AS row FROM users t WHERE t.id = ${id}`,
    templates: sql`SELECT row_to_json(t)::text AS row FROM templates t WHERE t.created_by = ${id}`,
    job_source_clips: sql`SELECT row_to_json(t)::text AS row FROM job_source_clips t
      JOIN generation_jobs j ON j.id = t.job_id WHERE j.user_id = ${id}`,
  };
  for (const table of await tablesWithUserId(db)) {
    queries[table] =
      sql`SELECT row_to_json(t)::text AS row FROM ${sql.identifier(table)} t WHERE t.user_id = ${id}`;
  }
  return queries;
}

/**
 * The rows of one query as objects, without secret columns. Each row travels as its JSON text, which every
 * driver returns alike. They come in calls of at most 100 rows that also stop once the rows' text reaches
 * PAGE_BYTE_BUDGET: the Data API answers at most 1 MiB per call, and 100 EDIT jobs or clips with
 * their free-form objects near the 16 KiB bound are more than that.
 */
export async function readOwnedRows(db: Database, query: SQL): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let offset = 0; ; ) {
    // The running total is taken over this call's rows only (the inner LIMIT/OFFSET runs first), and the
    // row that crosses the budget is still sent, so every call moves on by at least one row.
    const page = await rawRows<{ row: string; through: number }>(
      db,
      sql`SELECT s.row, s.through::int4 AS through FROM (
            SELECT c.row, octet_length(c.row) AS bytes,
                   sum(octet_length(c.row)) OVER (ORDER BY c.row ROWS UNBOUNDED PRECEDING) AS through
            FROM (SELECT q.row FROM (${query}) q ORDER BY q.row LIMIT ${PAGE} OFFSET ${offset}) c
          ) s
          WHERE s.through - s.bytes < ${PAGE_BYTE_BUDGET}
          ORDER BY s.row`,
    );
    for (const { row } of page) {
      const value = JSON.parse(row) as Record<string, unknown>;
      for (const column of Object.keys(value)) if (SECRET_COLUMN.test(column)) delete value[column];
      out.push(value);
    }
    offset += page.length;
    const cut = Number(page.at(-1)?.through ?? 0) >= PAGE_BYTE_BUDGET;
    if (page.length < PAGE && !cut) return out;
  }
}
