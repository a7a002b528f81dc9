import { type SQL, sql } from 'drizzle-orm';

/**
 * A row's version, for writes conditioned on what the client last read (If-Match): PostgreSQL's `xmin`, the
 * transaction that wrote the row's current version. Every write of the row changes it, including those that
 * leave `updated_at` alone (a template's use count, a user's stored bytes), and locking the row does not.
 */
export const ROW_VERSION = sql<string>`xmin::text`;

/** A row read with its version. */
export interface Versioned<T> {
  row: T;
  version: string;
}

/** True while the row (`xmin` of the table in scope, or a qualified one) is still at `version`. */
export function atVersion(version: string, xmin: SQL = sql`xmin`): SQL {
  return sql`${xmin}::text = ${version}`;
}

/** `AND` the version condition into raw SQL, or nothing when the write is unconditional. */
export function andAtVersion(version: string | undefined, xmin?: SQL): SQL {
  return version === undefined ? sql`` : sql`AND ${atVersion(version, xmin)}`;
}
