import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDialect, PgSession } from 'drizzle-orm/pg-core';
import type { Database } from './database.ts';

/**
 * The folder of drizzle-kit migrations. A Lambda bundle carries a copy beside its entry file, so the
 * folder is found relative to this module (or MIGRATIONS_DIR).
 */
export function migrationsFolder(): string {
  return process.env.MIGRATIONS_DIR ?? fileURLToPath(new URL('./migrations', import.meta.url));
}

/** Applies pending migrations in one transaction; the same code on PGlite, node-postgres and the Data API. */
export async function migrate(db: Database, folder = migrationsFolder()): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  // Every drizzle Postgres driver's migrator is exactly this call; using it directly keeps one code path.
  const internals = db as unknown as { dialect: PgDialect; session: PgSession };
  await internals.dialect.migrate(migrations, internals.session, { migrationsFolder: folder });
}
