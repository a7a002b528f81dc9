import type { Database } from '../db/database.ts';
import type { ObjectStore } from '../storage/port.ts';
import {
  ABANDONED_EXPORT,
  abandoned,
  type ExportRepository,
  exportKey,
  exportsPrefix,
  userMediaPrefixes,
} from './exports.ts';
import { ownedRowQueries, readOwnedRows } from './owned-rows.ts';

/**
 * Writes the zip of an export: `<table>.json` for every entity the user owns (rows as the database holds
 * them, credentials' hashes left out), and `media-manifest.json` listing every object of the user with its
 * size. Lapsed exports of the user are removed first.
 */
export async function writeAccountExport(
  deps: { db: Database; store: ObjectStore; exports: ExportRepository },
  userId: string,
  exportId: string,
): Promise<void> {
  const row = await deps.exports.get(userId, exportId).catch(() => undefined);
  if (row?.status !== 'PENDING') return; // written already, or failed: a retried event has nothing to do
  // An event that waited longer than any export may take (Lambda keeps one for hours when throttled): the
  // user has been told this export failed, and may have started another.
  if (abandoned(row)) {
    await deps.exports.fail(exportId, ABANDONED_EXPORT);
    return;
  }
  const lapsed = await deps.exports.removeExpired(userId);
  await deps.store.deleteKeys(lapsed);
  try {
    // fflate's Node build loads worker_threads and fills its Huffman tables when evaluated (about 20 ms of
    // CPU): only exports need it, so an erasure's cold start does not pay for it.
    const { strToU8, zipSync } = await import('fflate');
    const files: Record<string, Uint8Array> = {};
    const counts: Record<string, number> = {};
    for (const [table, query] of Object.entries(await ownedRowQueries(deps.db, userId))) {
      const rows = await readOwnedRows(deps.db, query);
      counts[table] = rows.length;
      files[`${table}.json`] = strToU8(JSON.stringify(rows, null, 2));
    }
    const media = [];
    for (const prefix of userMediaPrefixes(userId)) media.push(...(await deps.store.list(prefix)));
    files['media-manifest.json'] = strToU8(
      JSON.stringify(
        {
          bucket: deps.store.bucket,
          objects: media.map((o) => ({ key: o.key, sizeBytes: o.size })),
          totalBytes: media.reduce((sum, o) => sum + o.size, 0),
        },
        null,
        2,
      ),
    );
    files['README.json'] = strToU8(
      JSON.stringify({ userId, exportId, createdAt: new Date().toISOString(), rows: counts }, null, 2),
    );
    const zip = zipSync(files, { level: 6 });
    const key = exportKey(userId, exportId);
    if (!key.startsWith(exportsPrefix(userId))) throw new Error('export key outside the user’s folder');
    const stored = await deps.store.putBytes(key, zip, 'application/zip');
    // Nobody will fetch a zip whose row has gone (the account was erased while it was written, after the
    // erasure emptied the folder) or was given up: it would stay until the bucket's lifecycle rule.
    if (!(await deps.exports.complete(exportId, key, stored.size))) await deps.store.deleteKeys([key]);
  } catch (error) {
    await deps.exports.fail(exportId, 'The export could not be written; start another.');
    throw error;
  }
}
