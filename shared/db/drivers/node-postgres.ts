import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Database, DatabaseHandle, StatementCounter } from '../database.ts';

/** A real PostgreSQL server through a connection pool (DATABASE_URL). */
export function openNodePostgres(options: {
  url: string;
  max?: number;
  counter?: StatementCounter;
}): DatabaseHandle & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    options: '-c TimeZone=UTC',
  });
  // An idle connection the server drops (restart, failover, a terminated backend) is reported here; without
  // a listener Node treats it as an uncaught exception. The pool has already discarded that client.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, logger: options.counter ?? false }) as unknown as Database;
  return { kind: 'node-postgres', db, pool, close: () => pool.end() };
}
