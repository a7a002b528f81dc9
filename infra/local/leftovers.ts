/**
 * Objects a crash of `npm start` left in the bucket after the job they belong to had ended: a job writes
 * its end to the database first and removes its scratch files and (failed) its partial clip after, so a
 * kill in between leaves them with nothing that would ever remove them (on AWS the Step Functions retry
 * of the task does). Run at start, once the jobs a crash left running are failed. (Uploads' files are
 * handled again at start as their events are, which deletes those of ended jobs.)
 */
import { inArray } from 'drizzle-orm';
import type { Database } from '#shared/db/database.ts';
import { generationJobs, videoClips } from '#shared/db/tables.ts';
import { jobWorkPrefix } from '#shared/storage/keys.ts';
import type { ObjectStore } from '#shared/storage/port.ts';

const WORK = /^work\/([0-9a-f-]{36})\/([0-9a-f-]{36})\//;
const CLIP = /^(users\/[0-9a-f-]{36}\/projects\/[0-9a-f-]{36}\/clips\/([0-9a-f-]{36})\/)/;

async function statuses(db: Database, ids: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await db
      .select({ id: generationJobs.id, status: generationJobs.status })
      .from(generationJobs)
      .where(inArray(generationJobs.id, chunk));
    for (const row of rows) found.set(row.id, row.status);
  }
  return found;
}

async function existingClips(db: Database, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .select({ id: videoClips.id })
      .from(videoClips)
      .where(inArray(videoClips.id, ids.slice(i, i + 1000)));
    for (const row of rows) found.add(row.id);
  }
  return found;
}

/** Removes what ended or deleted jobs left; answers the prefixes and keys it removed. */
export async function removeLeftovers(db: Database, store: ObjectStore): Promise<string[]> {
  const [work, clipObjects] = await Promise.all([store.list('work/'), store.list('users/')]);
  const workPrefixes = new Map<string, string>();
  for (const { key } of work) {
    const m = WORK.exec(key);
    if (m) workPrefixes.set(jobWorkPrefix(m[1]!, m[2]!), m[2]!);
  }
  const clipPrefixes = new Map<string, string>();
  for (const { key } of clipObjects) {
    const m = CLIP.exec(key);
    if (m) clipPrefixes.set(m[1]!, m[2]!);
  }
  const ids = [...new Set([...workPrefixes.values(), ...clipPrefixes.values()])];
  if (!ids.length) return [];
  const [status, clips] = await Promise.all([statuses(db, ids), existingClips(db, ids)]);
  const gone = (id: string) =>
    !status.has(id) || status.get(id) === 'COMPLETED' || status.get(id) === 'FAILED';
  // A job's scratch files outlive it only by a crash. A clip's folder is its job's (same id): without a
  // clip row, once the job has ended or gone, it is a failed job's partial output or a deleted clip's.
  const removed = [
    ...[...workPrefixes].filter(([, id]) => gone(id)).map(([prefix]) => prefix),
    ...[...clipPrefixes].filter(([, id]) => !clips.has(id) && gone(id)).map(([prefix]) => prefix),
  ];
  await Promise.all(removed.map((prefix) => store.deletePrefix(prefix)));
  return removed;
}
