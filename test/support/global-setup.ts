/**
 * Global setup: builds the migrated, empty PGlite data directory that test databases start from (see
 * pglite-template.ts), once per migration set and PGlite version, and provides its path to every test file.
 * It also builds the web console when missing or stale, before any worker starts: every file that synthesises
 * the stack or serves the console would otherwise build it on demand, and two workers' builds at once empty
 * console/dist under each other.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureConsoleBuilt } from '#infra/console/build.ts';
import { openPglite } from '#shared/db/drivers/pglite.ts';
import { migrate, migrationsFolder } from '#shared/db/migrate.ts';
import { cacheTmpdir } from './run-tmpdir.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out.sort();
}

/** Names the template by what it holds: every migration file and the PGlite version. */
async function templateKey(): Promise<string> {
  const hash = createHash('sha256');
  const folder = migrationsFolder();
  for (const file of await filesUnder(folder)) {
    hash
      .update(path.relative(folder, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  // The package does not export its package.json; it sits above the entry file's dist folder.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  hash.update(await readFile(path.join(path.dirname(entry), '..', 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

/** Builds the template file unless one for this migration set exists; returns its path. */
export async function buildPgliteTemplate(): Promise<string> {
  const file = path.join(cacheTmpdir(), `ai-video-pglite-template-${await templateKey()}.tar`);
  if (
    await stat(file).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return file;
  const handle = await openPglite();
  try {
    await migrate(handle.db);
    const dump = await handle.client.dumpDataDir('none');
    // Written aside and renamed, so a concurrent run never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
  } finally {
    await handle.close();
  }
  return file;
}

export default async function setup(project: TestProject): Promise<void> {
  ensureConsoleBuilt();
  project.provide('pgliteTemplate', await buildPgliteTemplate());
}
