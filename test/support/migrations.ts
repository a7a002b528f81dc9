/** Databases as they were before a migration: for tests of what a migration does to existing rows. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import type { Database, DatabaseHandle } from '#shared/db/database.ts';
import { openNodePostgres } from '#shared/db/drivers/node-postgres.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate, migrationsFolder } from '#shared/db/migrate.ts';
import { DATABASE_URL, freshServerDatabase } from './db-drivers.ts';

/** Applies only the migrations whose tag (`0004_limits-custom`) `keep` accepts, in their order. */
export async function migrateOnly(db: Database, keep: (tag: string) => boolean): Promise<void> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  try {
    await cp(migrationsFolder(), folder, { recursive: true });
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => keep(e.tag));
    if (journal.entries.length === 0) throw new Error('migrateOnly: no migration kept');
    await writeFile(journalFile, JSON.stringify(journal));
    await migrate(db, folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * A migration test on a new PGlite database and (with DATABASE_URL) a new one on that server: `run` gets an
 * empty database, migrates it part way with migrateOnly, seeds it and migrates on.
 */
export function describeMigration(
  name: string,
  title: string,
  run: (handle: DatabaseHandle) => Promise<void>,
) {
  describe(`${name} on pglite`, () => {
    it(title, async () => {
      const handle = await openPglite();
      try {
        await run(handle);
      } finally {
        await handle.close();
      }
    });
  });
  describe.skipIf(!DATABASE_URL)(
    `${name} on node-postgres${DATABASE_URL ? '' : ' (skipped: DATABASE_URL is not set)'}`,
    () => {
      it(title, async () => {
        const fresh = await freshServerDatabase();
        const handle = openNodePostgres({ url: fresh.url });
        try {
          await run(handle);
        } finally {
          await handle.close();
          await fresh.drop();
        }
      });
    },
  );
}
