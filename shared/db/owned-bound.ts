import { getTableColumns, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { MissingUserRowError } from '../errors.ts';
import type { Database } from './database.ts';
import { rawRows, rowFromJson } from './sql.ts';

/** Counters on the users row that the count_owned_rows trigger keeps equal to the user's rows of one table. */
export type OwnedRowCounter = 'api_key_count' | 'webhook_count' | 'project_count' | 'template_count';

export interface OwnedBound {
  userId: string;
  counter: OwnedRowCounter;
  /** The table's column naming the owner, `user_id` unless said (a template's is `created_by`). */
  ownerColumn?: 'user_id' | 'created_by';
  /** The most rows the user may hold. */
  most: number;
  /** The error for a user who already holds `most`. */
  refusal: () => Error;
}

/**
 * Inserts one row owned by `bound.userId` in one statement, unless the owner already holds `bound.most`.
 * The owner's users row is locked and its counter compared after the lock: under READ COMMITTED a lock
 * that waited re-reads the row as the creation before it committed it, so parallel creations are counted
 * one after another. (Counting the rows themselves would read the statement's snapshot, in which creations
 * still in flight are missing, and let several through together.)
 */
export async function insertWithinBound<T extends PgTable>(
  db: Database,
  table: T,
  bound: OwnedBound,
  values: Omit<T['$inferInsert'], 'userId' | 'createdBy'>,
): Promise<T['$inferSelect']> {
  const columns = getTableColumns(table);
  const names: SQLWrapper[] = [];
  const selected: SQL[] = [];
  for (const [key, value] of Object.entries(values)) {
    const column = columns[key];
    if (!column) throw new Error(`${key} is not a column of the table`);
    if (value === undefined) continue;
    names.push(sql.identifier(column.name));
    // Cast: a parameter in a select list has no type of its own to take from the column.
    selected.push(sql`${sql.param(value, column)}::${sql.raw(column.getSQLType())}`);
  }
  const rows = await rawRows<{ row: string | null; owner_found: number }>(
    db,
    sql`
    WITH owner AS (
      SELECT id FROM users
      WHERE id = ${bound.userId}::uuid AND ${sql.identifier(bound.counter)} < ${bound.most}::int
      FOR NO KEY UPDATE
    ), created AS (
      INSERT INTO ${table} (${sql.identifier(bound.ownerColumn ?? 'user_id')}, ${sql.join(names, sql`, `)})
      SELECT owner.id, ${sql.join(selected, sql`, `)} FROM owner
      RETURNING *
    )
    SELECT (SELECT to_jsonb(created)::text FROM created) AS row,
           EXISTS (SELECT 1 FROM users WHERE id = ${bound.userId}::uuid)::int AS owner_found`,
  );
  const r = rows[0];
  if (r?.row) return rowFromJson(table, r.row);
  // The first authenticated request of an account whose users row is missing creates it (users/provision.ts).
  if (!r?.owner_found) throw new MissingUserRowError();
  throw bound.refusal();
}
