import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * What repositories accept: drizzle, whichever driver sits underneath. Without drizzle's relational query
 * API (`db.query`), which no repository uses: the drivers would need the whole schema, and a bundle that
 * opens the database would evaluate every table definition at its cold start whether it reads them or not.
 */
export type Database = PgDatabase<PgQueryResultHKT>;

export type DriverKind = 'pglite' | 'node-postgres' | 'data-api';

export interface DatabaseHandle {
  kind: DriverKind;
  db: Database;
  close(): Promise<void>;
}

/** Counts statements sent to the server; drivers call `logQuery` once per statement. */
export class StatementCounter {
  count = 0;
  readonly statements: string[] = [];
  logQuery(query: string): void {
    this.count += 1;
    this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}
