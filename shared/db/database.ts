import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { schema } from './tables.ts';

/** What repositories accept: drizzle over our tables, whichever driver sits underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

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
