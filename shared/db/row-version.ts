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

const sameVersion = (version: string, xmin: SQL) => sql`${xmin}::text = ${version}`;

/**
 * For a query builder's `where`: true while the row is still at `version`; undefined (no condition) when the
 * write is unconditional.
 */
export function atVersion(version: string | undefined): SQL | undefined {
  return version === undefined ? undefined : sameVersion(version, sql`xmin`);
}

/** For raw SQL: `AND` the condition on `xmin` (of the table in scope, or a qualified one), or nothing. */
export function andAtVersion(version: string | undefined, xmin: SQL = sql`xmin`): SQL {
  return version === undefined ? sql`` : sql`AND ${sameVersion(version, xmin)}`;
}
