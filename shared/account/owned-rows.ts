import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { PAGE_BYTE_BUDGET } from '../db/pagination.ts';
import { rawRows } from '../db/sql.ts';

/** Columns never exported: credentials kept as hashes or secrets (password, API key, webhook secrets). */
const SECRET_COLUMN = /(hash|secret)/i;
const PAGE = 100;

/** A column of the order rows are read in, with the SQL type its text is cast back to. */
interface KeyColumn {
  column: SQL;
  type: string;
}

/**
 * One entity's rows: `from` names the exported row `t` and keeps the owner's rows, `key` is unique over
 * them and NOT NULL, and each call reads the rows after the last one's key, so no call sorts or skips
 * the rows before it.
 */
export interface OwnedRows {
  from: SQL;
  key: KeyColumn[];
}

const TIMESTAMP = 'timestamptz';
const UUID = 'uuid';
const col = (name: string, type: string): KeyColumn => ({ column: sql`t.${sql.identifier(name)}`, type });
const byCreated = [col('created_at', TIMESTAMP), col('id', UUID)];

/**
 * Keys that an index led by the owner column keeps in order, so a call reads a range of that index. A table
 * not named here is read in primary key order: video_clips and webhook_deliveries through their (user_id,
 * id) index; a table added later needs one too, or each call walks the primary key past other users' rows.
 */
const INDEXED_KEYS: Record<string, KeyColumn[]> = {
  video_projects: byCreated,
  generation_jobs: byCreated,
  api_keys: byCreated,
  account_exports: byCreated,
  webhook_endpoints: byCreated,
  upload_reservations: [col('expires_at', TIMESTAMP), col('id', UUID)],
  cancelled_uploads: [col('expires_at', TIMESTAMP), col('id', UUID)],
  job_usage: [col('ended_at', TIMESTAMP), col('job_id', UUID)],
  events: [col('tx_id', 'int8'), col('seq', 'int8')],
  storage_months: [col('month', 'date')],
};

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

/** The primary key columns of each table, in key order, with their types. */
async function primaryKeys(db: Database, tables: string[]): Promise<Map<string, KeyColumn[]>> {
  const rows = await rawRows<{ table: string; name: string; type: string }>(
    db,
    sql`SELECT c.relname::text AS table, a.attname::text AS name, format_type(a.atttypid, NULL) AS type
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n) ON true
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary AND c.relnamespace = current_schema()::regnamespace
          AND c.relname = ANY(string_to_array(${tables.join(',')}, ','))
        ORDER BY c.relname, k.n`,
  );
  const keys = new Map<string, KeyColumn[]>();
  for (const row of rows) keys.set(row.table, [...(keys.get(row.table) ?? []), col(row.name, row.type)]);
  return keys;
}

/** Where each entity's rows are found: by `user_id`, plus the user's own row, templates and job sources. */
export async function ownedRowQueries(db: Database, userId: string): Promise<Record<string, OwnedRows>> {
  const id = sql`${userId}::uuid`;
  const queries: Record<string, OwnedRows> = {
    users: { from: sql`users t WHERE t.id = ${id}`, key: [col('id', UUID)] },
    templates: { from: sql`templates t WHERE t.created_by = ${id}`, key: byCreated },
    // In the order of the user's jobs (their index on user_id, created_at), then each job's positions.
    job_source_clips: {
      from: sql`job_source_clips t JOIN generation_jobs j ON j.id = t.job_id WHERE j.user_id = ${id}`,
      key: [
        { column: sql`j.created_at`, type: TIMESTAMP },
        { column: sql`t.job_id`, type: UUID },
        col('position', 'int4'),
      ],
    },
  };
  const tables = await tablesWithUserId(db);
  const primary = await primaryKeys(db, tables);
  for (const table of tables) {
    const key = INDEXED_KEYS[table] ?? primary.get(table);
    if (!key) throw new Error(`${table} has no primary key to export its rows in order`);
    queries[table] = { from: sql`${sql.identifier(table)} t WHERE t.user_id = ${id}`, key };
  }
  return queries;
}

/**
 * One call's statement: at most PAGE rows after `after` (the last key read, as text), each with its key.
 * The running total of the rows' text is taken over this call's rows only, and the row that crosses the
 * budget is still sent, so every call moves on by at least one row.
 */
export function ownedRowsPage(owned: OwnedRows, after: string[] | null): SQL {
  const key = owned.key;
  const list = (items: SQL[]) => sql.join(items, sql`, `);
  const names = key.map((_, i) => sql.identifier(`k${i}`));
  const past = after
    ? sql`AND (${list(key.map((k) => k.column))}) > (${list(key.map((k, i) => sql`${after[i]}::${sql.raw(k.type)}`))})`
    : sql``;
  // The whole row `t` is carried through the ORDER BY and turned into JSON only for the rows kept.
  return sql`SELECT s.row, s.through::int4 AS through, ${list(names.map((n) => sql`s.${n}::text AS ${n}`))}
             FROM (
               SELECT j.*, sum(octet_length(j.row))
                 OVER (ORDER BY ${list(names.map((n) => sql`j.${n}`))} ROWS UNBOUNDED PRECEDING) AS through
               FROM (
                 SELECT row_to_json(c.t)::text AS row, ${list(names.map((n) => sql`c.${n}`))}
                 FROM (
                   SELECT t, ${list(key.map((k, i) => sql`${k.column} AS ${names[i]}`))}
                   FROM ${owned.from} ${past}
                   ORDER BY ${list(key.map((k) => k.column))}
                   LIMIT ${PAGE}
                 ) c
               ) j
             ) s
             WHERE s.through - octet_length(s.row) < ${PAGE_BYTE_BUDGET}
             ORDER BY ${list(names.map((n) => sql`s.${n}`))}`;
}

type PageRow = { row: string; through: number; [key: string]: string | number };

/**
 * The rows of one entity as objects, without secret columns, in key order. Each row travels as its JSON
 * text, which every driver returns alike. They come in calls of at most 100 rows that also stop once the
 * rows' text reaches PAGE_BYTE_BUDGET: the Data API answers at most 1 MiB per call, and 100 EDIT jobs or
 * clips with their free-form objects near the 16 KiB bound are more than that.
 */
export async function readOwnedRows(db: Database, owned: OwnedRows): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let after: string[] | null = null; ; ) {
    const page: PageRow[] = await rawRows<PageRow>(db, ownedRowsPage(owned, after));
    for (const { row } of page) {
      const value = JSON.parse(row) as Record<string, unknown>;
      for (const column of Object.keys(value)) if (SECRET_COLUMN.test(column)) delete value[column];
      out.push(value);
    }
    const last: PageRow | undefined = page.at(-1);
    const cut = Number(last?.through ?? 0) >= PAGE_BYTE_BUDGET;
    if (!last || (page.length < PAGE && !cut)) return out;
    after = owned.key.map((_, i) => String(last[`k${i}`]));
  }
}
