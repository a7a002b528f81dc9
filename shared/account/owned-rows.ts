import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
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
 * The rows of one query as objects, in pages of 100 (the Data API answers at most 1 MiB), without secret
 * columns. Each row travels as its JSON text, which every driver returns alike.
 */
export async function readOwnedRows(db: Database, query: SQL): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await rawRows<{ row: string }>(
      db,
      sql`SELECT q.row FROM (${query}) q ORDER BY q.row LIMIT ${PAGE} OFFSET ${offset}`,
    );
    for (const { row } of page) {
      const value = JSON.parse(row) as Record<string, unknown>;
      for (const column of Object.keys(value)) if (SECRET_COLUMN.test(column)) delete value[column];
      out.push(value);
    }
    if (page.length < PAGE) return out;
  }
}
