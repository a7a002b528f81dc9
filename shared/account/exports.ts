import { and, count, eq, gt, lt, min } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sqlErrorInfo, UNIQUE_VIOLATION } from '../db/errors.ts';
import { type AccountExportRow, accountExports } from '../db/tables.ts';
import { ConflictError, NotFoundError, TooManyRequestsError } from '../errors.ts';

/** How long an export's zip (and its row's link) lasts; the bucket's lifecycle rule removes it after a day. */
export const EXPORT_TTL_HOURS = 24;

/**
 * How long writing an export may take, the worker's retries included (a run lasts at most 5 minutes and
 * Lambda retries a failed one twice, a minute or two apart). An export still PENDING after this was
 * abandoned: its worker was killed (a timeout gives the worker no chance to record the failure) or the
 * local server stopped while writing it. It reads as FAILED, and it no longer holds the one-at-a-time slot.
 */
export const EXPORT_WRITE_LIMIT_MINUTES = 30;
/**
 * Exports a user may start within a day: each reads every row and lists every object of the account, and
 * one at a time alone would let a script run them back to back all day.
 */
export const MAX_EXPORTS_PER_DAY = 10;
const DAY_MS = 24 * 3_600_000;

export const ABANDONED_EXPORT = 'The export was interrupted before it was written; start another.';

/** Whether a PENDING export has outlived any worker that could still be writing it. */
export const abandoned = (row: Pick<AccountExportRow, 'status' | 'createdAt'>, now = new Date()) =>
  row.status === 'PENDING' && now.getTime() - row.createdAt.getTime() > EXPORT_WRITE_LIMIT_MINUTES * 60_000;

export const exportKey = (userId: string, exportId: string) => `exports/${userId}/${exportId}.zip`;
export const exportsPrefix = (userId: string) => `exports/${userId}/`;

/** The folders that hold a user's objects (exports aside): clips, uploads, job scratch space. */
export const userMediaPrefixes = (userId: string) => [
  `users/${userId}/`,
  `uploads/${userId}/`,
  `work/${userId}/`,
];

export type AccountExport = AccountExportRow;

export function createExportRepository(db: Database) {
  return {
    /**
     * A new PENDING export; refused while another of the user's is still being written (the unique index
     * account_exports_one_pending_key decides between requests that arrive together), and once the user
     * started MAX_EXPORTS_PER_DAY in the last 24 hours (429 until the oldest of them is a day old).
     */
    async create(userId: string, now = new Date()): Promise<AccountExport> {
      const pendingOne = async () => {
        const [pending] = await db
          .select({ id: accountExports.id })
          .from(accountExports)
          .where(and(eq(accountExports.userId, userId), eq(accountExports.status, 'PENDING')));
        return pending;
      };
      const busy = (id: string | undefined) =>
        new ConflictError(`${id ? `Export ${id}` : 'Another export'} is still being written; wait for it.`);
      await db
        .update(accountExports)
        .set({ status: 'FAILED', errorMessage: ABANDONED_EXPORT, completedAt: now })
        .where(
          and(
            eq(accountExports.userId, userId),
            eq(accountExports.status, 'PENDING'),
            lt(accountExports.createdAt, new Date(now.getTime() - EXPORT_WRITE_LIMIT_MINUTES * 60_000)),
          ),
        );
      const pending = await pendingOne();
      if (pending) throw busy(pending.id);
      const [recent] = await db
        .select({ started: count(), oldest: min(accountExports.createdAt) })
        .from(accountExports)
        .where(
          and(
            eq(accountExports.userId, userId),
            gt(accountExports.createdAt, new Date(now.getTime() - DAY_MS)),
          ),
        );
      if (recent && Number(recent.started) >= MAX_EXPORTS_PER_DAY) {
        const oldest = recent.oldest ? new Date(recent.oldest).getTime() : now.getTime();
        throw new TooManyRequestsError(
          `You already started ${MAX_EXPORTS_PER_DAY} exports in the last 24 hours, the most allowed; download one of them, or try again later.`,
          Math.max(1, Math.ceil((oldest + DAY_MS - now.getTime()) / 1000)),
        );
      }
      const [row] = await db
        .insert(accountExports)
        .values({ userId, expiresAt: new Date(now.getTime() + EXPORT_TTL_HOURS * 3_600_000) })
        .returning()
        .catch(async (error: unknown) => {
          const info = sqlErrorInfo(error);
          if (info.sqlState === UNIQUE_VIOLATION && info.constraint === 'account_exports_one_pending_key')
            throw busy((await pendingOne())?.id);
          throw error;
        });
      return row!;
    },

    async get(userId: string, id: string): Promise<AccountExport> {
      const [row] = await db
        .select()
        .from(accountExports)
        .where(and(eq(accountExports.id, id), eq(accountExports.userId, userId)));
      if (!row) throw new NotFoundError('export');
      return row;
    },

    /** False when the export is no longer PENDING (failed as abandoned) or gone (the account was erased). */
    async complete(id: string, objectKey: string, sizeBytes: number): Promise<boolean> {
      const done = await db
        .update(accountExports)
        .set({ status: 'COMPLETED', objectKey, sizeBytes, completedAt: new Date() })
        .where(and(eq(accountExports.id, id), eq(accountExports.status, 'PENDING')))
        .returning({ id: accountExports.id });
      return done.length > 0;
    },

    async fail(id: string, errorMessage: string): Promise<void> {
      await db
        .update(accountExports)
        .set({ status: 'FAILED', errorMessage, completedAt: new Date() })
        .where(and(eq(accountExports.id, id), eq(accountExports.status, 'PENDING')));
    },

    /** Removes the user's lapsed export rows and returns their object keys (for the bucket). */
    async removeExpired(userId: string, now = new Date()): Promise<string[]> {
      const gone = await db
        .delete(accountExports)
        .where(and(eq(accountExports.userId, userId), lt(accountExports.expiresAt, now)))
        .returning({ key: accountExports.objectKey });
      return gone.map((g) => g.key).filter((k): k is string => k !== null);
    },
  };
}

export type ExportRepository = ReturnType<typeof createExportRepository>;

/** The API's view: a signed link only while the zip exists and has not lapsed. */
export function exportStatus(row: AccountExport, now = new Date()) {
  const lapsed = row.expiresAt.getTime() <= now.getTime();
  const gaveUp = abandoned(row, now);
  return {
    id: row.id,
    status: lapsed ? ('EXPIRED' as const) : gaveUp ? ('FAILED' as const) : row.status,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt.toISOString(),
    sizeBytes: row.sizeBytes,
    errorMessage: gaveUp ? ABANDONED_EXPORT : row.errorMessage,
  };
}
