/**
 * One `npm start` per data directory. PGlite and s3rver take no lock of their own: a second server on the
 * same folder runs a second PostgreSQL over the first one's files, which damages the database. The lock is
 * a file naming the process that holds it; one left by a process that no longer runs (`kill -9`, a power
 * cut) is taken over.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const LOCK_FILE = 'server.lock';

/** Folders this process holds (a second environment in the same process must be refused too). */
const heldHere = new Set<string>();

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The data directory ${dataDir} is in use by another local server (process ${pid}). Stop that one ` +
        `first (Ctrl+C in its terminal, or kill ${pid}), or give this one another folder with DATA_DIR. ` +
        `If no such server runs, delete ${path.join(dataDir, LOCK_FILE)}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderOf(file: string): Promise<{ pid: number; token: string } | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const [pid, token] = text.trim().split(' ');
  // A half-written lock names no process: treated as stale.
  return Number.isInteger(Number(pid)) && token ? { pid: Number(pid), token } : undefined;
}

/** Takes the data directory's lock or throws DataDirInUseError; `release` gives it back. */
export async function lockDataDir(dataDir: string): Promise<{ release(): Promise<void> }> {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const token = randomUUID();
  const line = `${process.pid} ${token}\n`;
  for (let attempt = 0; ; attempt++) {
    if (heldHere.has(dir)) throw new DataDirInUseError(dir, process.pid);
    try {
      await writeFile(file, line, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (attempt > 0) throw new DataDirInUseError(dir, (await holderOf(file))?.pid ?? 0);
    }
    const holder = await holderOf(file);
    if (holder && holder.pid !== process.pid && running(holder.pid)) {
      throw new DataDirInUseError(dir, holder.pid);
    }
    // Stale: its process is gone (or it was this process's, never released). Two servers started in the
    // same instant over a stale lock could both pass here; a start beside a running server cannot.
    await rm(file, { force: true });
  }
  heldHere.add(dir);
  return {
    async release() {
      heldHere.delete(dir);
      if ((await holderOf(file))?.token === token) await rm(file, { force: true });
    },
  };
}
