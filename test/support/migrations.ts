/** Databases as they were before a migration: for tests of what a migration does to existing rows. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '#shared/db/database.ts';
import { migrate, migrationsFolder } from '#shared/db/migrate.ts';

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
