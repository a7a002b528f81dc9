import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, DatabaseHandle, StatementCounter } from '../database.ts';

/**
 * Embedded PostgreSQL: in memory when `dataDir` is absent (tests), on disk for the local server. A
 * `template` (a data-directory dump) replaces initdb for a new database; it must not be given for a
 * `dataDir` that already holds one.
 */
export async function openPglite(
  options: { dataDir?: string; counter?: StatementCounter; template?: Blob } = {},
): Promise<DatabaseHandle & { client: PGlite }> {
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.template ? { loadDataDir: options.template } : {}),
  });
  await client.exec(`SET TIME ZONE 'UTC'`);
  const db = drizzle({ client, logger: options.counter ?? false }) as unknown as Database;
  return { kind: 'pglite', db, client, close: () => client.close() };
}
