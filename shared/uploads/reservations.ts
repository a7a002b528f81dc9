/**
 * Storage set aside for uploads. A presigned POST reserves its declared bytes; when the file arrives the
 * reservation is held while the job waits and runs; registering the clip converts it into the charge
 * (clips/repository.ts), a failed or cancelled job releases it (jobs/repository.ts), and so does cancelling
 * the upload before its file arrives (`cancel`; `arrived_at` marks a held one). users.storage_reserved
 * is always the sum of the user's rows: every statement that inserts or deletes a row changes it by the same
 * bytes, with the user's row locked first, and the users_storage_reserved_range check (used + reserved <=
 * limit) refuses whatever would exceed the quota, on the row as it is after the lock.
 *
 * Nothing runs on a schedule: a reservation whose upload never came expires, and lapsed rows (expired, or
 * of a deleted project) are swept by the next statement that reserves or registers for that user; so are
 * the records of cancelled uploads (cancelled_uploads) once their file's event could no longer come.
 *
 * users.upload_count counts the rows (a trigger keeps it, as for API keys: db/owned-bound.ts), and a new
 * upload is refused while the user holds MAX_UPLOADS_IN_PROGRESS that have not lapsed: each holds a presigned
 * POST and, once its file lands, a job waiting for a slot. A new upload is also refused while the user's
 * jobs of the last minute are at the tier's jobsPerMinute (jobs/rate-limit.ts): its job is never refused
 * once the file is stored, so without this a loop of upload and cancel would make jobs without bound.
 */
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sqlErrorInfo } from '../db/errors.ts';
import { afterCursor, type PageRequest, pageLimit, toPage } from '../db/pagination.ts';
import { rawRows } from '../db/sql.ts';
import { cancelledUploads, uploadReservations, users, videoProjects } from '../db/tables.ts';
import { NotFoundError, QuotaExceededError, TooManyRequestsError } from '../errors.ts';
import { jobsInWindow, jobsPerMinuteOf, secondsUntilRateFrees } from '../jobs/rate-limit.ts';

/** How long after its POST policy expires a reservation still counts (a slow upload may still land). */
export const RESERVATION_MARGIN_SECONDS = 3600;
/**
 * How long past its reservation's expiry a cancellation is kept. A file can land as its link expires, and
 * its event can then wait in the upload trigger's queue for up to an hour (maxEventAge; EventBridge's four
 * delivery retries take minutes) before it is dead-lettered, whose consumer tries five more times, three
 * minutes apart (infra/stacks/stateless.ts): forgotten sooner, the cancelled upload would become a job
 * after all, or a FAILED one.
 */
export const CANCELLATION_MARGIN_SECONDS = 2 * 3600;
/** How long a reservation is held once its file has arrived (the job waits for a slot, then runs). */
export const HELD_RESERVATION_SECONDS = 24 * 3600;

/** Uploads a user may have on their way at once: requested, and not yet a clip, failed or lapsed. */
export const MAX_UPLOADS_IN_PROGRESS = 100;

const tooManyUploads = () =>
  new TooManyRequestsError(
    `You already have ${MAX_UPLOADS_IN_PROGRESS} uploads in progress, the most an account may have; send their files and wait for them to become clips, or cancel those you gave up (GET /v1/projects/{projectId}/uploads lists them, DELETE /v1/uploads/{uploadId} cancels one; an upload whose file never comes lapses ${RESERVATION_MARGIN_SECONDS / 60} minutes after its link expires), then try again.`,
    60,
  );

export interface NewReservation {
  /** The upload's id (later its job's id). */
  id: string;
  userId: string;
  projectId: string;
  bytes: number;
  /** Seconds from now until the reservation expires. */
  ttlSeconds: number;
  /** The file's name, for the list of uploads in progress. */
  fileName?: string;
}

/** A reservation nothing will claim: expired, or its project was deleted. */
export const lapsed = sql.raw(`(upload_reservations.expires_at <= now() OR NOT EXISTS (
  SELECT 1 FROM video_projects vp WHERE vp.id = upload_reservations.project_id))`);

/** An upload reservation (aliased r) whose project was deleted. */
const orphaned = sql.raw('NOT EXISTS (SELECT 1 FROM video_projects vp WHERE vp.id = r.project_id)');

const isQuotaCheck = (error: unknown) => {
  const { constraint } = sqlErrorInfo(error);
  return constraint === 'users_storage_reserved_range' || constraint === 'users_storage_used_range';
};

export function createReservationRepository(db: Database) {
  /** Bytes the user can still reserve or store: limit − used − reservations that have not lapsed. */
  async function remaining(userId: string): Promise<number> {
    const rows = await rawRows<{ remaining: string | null }>(
      db,
      sql`SELECT (u.storage_limit - u.storage_used - COALESCE((
                SELECT sum(bytes) FROM upload_reservations
                WHERE upload_reservations.user_id = u.id AND NOT ${lapsed}), 0))::text AS remaining
          FROM users u WHERE u.id = ${userId}::uuid`,
    );
    return Math.max(0, Number(rows[0]?.remaining ?? 0));
  }

  /**
   * Inserts (`new`) or refreshes (`hold`) one reservation and sweeps the user's lapsed ones, in one
   * statement; a reservation that would exceed the quota fails the whole statement. A new one is refused
   * when the user's reservations, less those swept now, are at MAX_UPLOADS_IN_PROGRESS: the counter is read
   * after the owner's lock (so parallel requests are counted one after another) and the swept rows are
   * those this statement deleted. A file that has landed is held whatever the count.
   */
  async function reserve(input: NewReservation, mode: 'new' | 'hold') {
    const hold = mode === 'hold';
    const rows = await rawRows<{
      project_found: number;
      reserved: string | null;
      refused: number;
      rate_limit: number | null;
    }>(
      db,
      sql`
      WITH owner AS (
        SELECT id, upload_count, ${jobsPerMinuteOf(sql`subscription_tier`)} AS jobs_per_minute
        FROM users WHERE id = ${input.userId}::uuid FOR NO KEY UPDATE
      ), recent AS (
        -- Read from owner, so only once its row is locked; a file that has landed is not asked.
        SELECT ${jobsInWindow(sql`owner.id`, sql`owner.jobs_per_minute`)} AS n, jobs_per_minute
        FROM owner WHERE NOT ${hold}::boolean
      ), project AS (
        SELECT id FROM video_projects WHERE id = ${input.projectId}::uuid AND user_id = ${input.userId}::uuid
      ), held AS (
        UPDATE upload_reservations
        SET expires_at = now() + ${input.ttlSeconds}::int * interval '1 second',
            arrived_at = COALESCE(arrived_at, now())
        WHERE ${hold}::boolean AND id = ${input.id}::uuid AND user_id = ${input.userId}::uuid
          AND EXISTS (SELECT 1 FROM owner)
        RETURNING bytes
      ), swept AS (
        DELETE FROM upload_reservations
        WHERE user_id = ${input.userId}::uuid AND id <> ${input.id}::uuid AND ${lapsed}
          AND EXISTS (SELECT 1 FROM owner)
        RETURNING bytes
      ), forgotten AS (
        -- Cancellations past the time their file could still come.
        DELETE FROM cancelled_uploads
        WHERE user_id = ${input.userId}::uuid AND expires_at <= now() AND EXISTS (SELECT 1 FROM owner)
      ), added AS (
        INSERT INTO upload_reservations (id, user_id, project_id, bytes, expires_at, arrived_at, file_name)
        SELECT ${input.id}::uuid, owner.id, project.id, ${input.bytes}::bigint,
               now() + ${input.ttlSeconds}::int * interval '1 second',
               CASE WHEN ${hold}::boolean THEN now() END, ${input.fileName ?? null}::text
        FROM owner, project
        WHERE NOT EXISTS (SELECT 1 FROM held)
          AND (${hold}::boolean
               OR owner.upload_count - (SELECT count(*) FROM swept) < ${MAX_UPLOADS_IN_PROGRESS}::int)
          AND (${hold}::boolean OR EXISTS (SELECT 1 FROM recent WHERE n < jobs_per_minute))
        ON CONFLICT (id) DO NOTHING
        RETURNING bytes
      ), counted AS (
        -- Through the function: the owner's row, locked above, is written once (migration 0022).
        SELECT add_user_storage(id, 0::bigint, ((SELECT COALESCE(sum(bytes), 0) FROM added)
                                               - (SELECT COALESCE(sum(bytes), 0) FROM swept))::bigint)
        FROM owner
      )
      SELECT (SELECT count(*)::int FROM project) AS project_found,
             -- Read, so that it runs: a WITH arm that only selects runs when something reads it.
             (SELECT count(*)::int FROM counted) AS counted,
             COALESCE((SELECT bytes FROM held), (SELECT bytes FROM added))::text AS reserved,
             (NOT ${hold}::boolean AND NOT EXISTS (SELECT 1 FROM added)
              AND EXISTS (SELECT 1 FROM owner WHERE upload_count - (SELECT count(*) FROM swept)
                                                    >= ${MAX_UPLOADS_IN_PROGRESS}::int))::int AS refused,
             (SELECT jobs_per_minute FROM recent WHERE n >= jobs_per_minute) AS rate_limit`,
    ).catch(async (error: unknown) => {
      if (isQuotaCheck(error)) throw new QuotaExceededError(input.bytes, await remaining(input.userId));
      throw error;
    });
    const row = rows[0];
    if (!row?.project_found) throw new NotFoundError('project');
    if (row.refused) throw tooManyUploads();
    if (row.rate_limit !== null && !hold && row.reserved === null) {
      const seconds = await secondsUntilRateFrees(db, input.userId, row.rate_limit);
      throw new TooManyRequestsError(
        `Your jobs of the last minute are already ${row.rate_limit}, the most your tier allows, and an upload becomes a job; request the next upload in ${seconds} s.`,
        seconds,
      );
    }
    return row.reserved === null ? null : Number(row.reserved);
  }

  return {
    remaining,

    /** Sets the declared bytes aside for a new upload; QuotaExceededError when they do not fit. */
    async create(input: NewReservation): Promise<void> {
      await reserve(input, 'new');
    },

    /**
     * For a file that has arrived: keeps its reservation for `ttlSeconds` more, or (when it expired and was
     * swept) reserves the file's bytes again if they still fit. Returns the bytes now reserved.
     */
    async hold(input: NewReservation): Promise<number> {
      const bytes = await reserve(input, 'hold');
      return bytes ?? input.bytes;
    },

    /**
     * A project's uploads in progress, newest first: reservations that have not lapsed, whether their file
     * is still awaited or has arrived (then the upload is the job of its id). NotFoundError for a project
     * that is not the user's.
     */
    async listInProgress(userId: string, projectId: string, page: PageRequest = {}) {
      const limit = pageLimit(page.limit);
      const scope = `uploads:${userId}:${projectId}`;
      const [project] = await db
        .select({ id: videoProjects.id })
        .from(videoProjects)
        .where(and(eq(videoProjects.id, projectId), eq(videoProjects.userId, userId)));
      if (!project) throw new NotFoundError('project');
      const rows = await db
        .select({
          id: uploadReservations.id,
          fileName: uploadReservations.fileName,
          bytes: uploadReservations.bytes,
          expiresAt: uploadReservations.expiresAt,
          arrivedAt: uploadReservations.arrivedAt,
          createdAt: uploadReservations.createdAt,
        })
        .from(uploadReservations)
        .where(
          and(
            eq(uploadReservations.userId, userId),
            eq(uploadReservations.projectId, projectId),
            gt(uploadReservations.expiresAt, sql`now()`),
            afterCursor(uploadReservations.createdAt, uploadReservations.id, page.cursor, scope),
          ),
        )
        .orderBy(desc(uploadReservations.createdAt), desc(uploadReservations.id))
        .limit(limit + 1);
      return toPage(rows, limit, scope);
    },

    /** The reservation of an upload, expired or not, or undefined. */
    async find(id: string) {
      const [row] = await db.select().from(uploadReservations).where(eq(uploadReservations.id, id));
      return row;
    },

    /** Gives an upload's reserved bytes back (the upload was refused or abandoned). */
    async release(id: string): Promise<void> {
      await db.execute(sql`
        WITH owner AS (
          SELECT u.id FROM users u JOIN upload_reservations r ON r.user_id = u.id
          WHERE r.id = ${id}::uuid FOR NO KEY UPDATE OF u
        ), released AS (
          DELETE FROM upload_reservations r WHERE r.id = ${id}::uuid AND EXISTS (SELECT 1 FROM owner)
          RETURNING r.user_id, r.bytes
        )
        -- Through the function: the owner's row, locked above, is written once (migration 0022).
        SELECT add_user_storage(user_id, 0::bigint, -bytes) FROM released`);
    },

    /**
     * Cancels an upload whose file has not arrived: deletes its reservation, giving its bytes and its place
     * among the uploads in progress back, and records the cancellation so that a file still sent with the
     * presigned POST is deleted on arrival (`wasCancelled`). One statement, the owner's row locked first as
     * for every reservation change; a reservation the file's arrival holds meanwhile (`arrived_at`) is
     * re-read after that lock and left alone. `arrived`: the upload became (or is becoming) the job of its id.
     * An upload of a deleted project is `unknown`: its job went with the project, and a reservation left
     * behind (held by a job the deletion did not see) is deleted here rather than named as that job. No
     * cancellation is recorded for it: a file that still lands finds no project and is deleted (ingest.ts).
     */
    async cancel(userId: string, id: string): Promise<'cancelled' | 'arrived' | 'unknown'> {
      const rows = await rawRows<{ cancelled: number }>(
        db,
        sql`
        WITH owner AS (
          SELECT id FROM users WHERE id = ${userId}::uuid FOR NO KEY UPDATE
        ), job AS (
          SELECT 1 FROM generation_jobs WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
        ), removed AS (
          DELETE FROM upload_reservations r
          WHERE r.id = ${id}::uuid AND r.user_id = ${userId}::uuid AND EXISTS (SELECT 1 FROM owner)
            AND ((r.arrived_at IS NULL AND NOT EXISTS (SELECT 1 FROM job)) OR ${orphaned})
          RETURNING r.bytes, r.expires_at, NOT ${orphaned} AS live
        ), cancelled AS (
          SELECT bytes, expires_at FROM removed WHERE live
        ), swept AS (
          DELETE FROM cancelled_uploads
          WHERE user_id = ${userId}::uuid AND expires_at <= now() AND EXISTS (SELECT 1 FROM owner)
        ), recorded AS (
          INSERT INTO cancelled_uploads (id, user_id, expires_at)
          SELECT ${id}::uuid, ${userId}::uuid,
                 expires_at + ${CANCELLATION_MARGIN_SECONDS}::int * interval '1 second'
          FROM cancelled
          ON CONFLICT (id) DO NOTHING
        ), counted AS (
          -- Through the function: the owner's row, locked above, is written once (migration 0022).
          SELECT add_user_storage(owner.id, 0::bigint, -removed.bytes) FROM removed, owner
        )
        SELECT (SELECT count(*)::int FROM cancelled) AS cancelled,
               -- Read, so that it runs: a WITH arm that only selects runs when something reads it.
               (SELECT count(*)::int FROM counted) AS counted`,
      );
      if (rows[0]?.cancelled) return 'cancelled';
      // Asked afresh: the statement above read the tables as they were before it waited for the lock. A
      // cancel sent again (its answer lost) finds the upload cancelled, as long as the record is kept.
      const [state] = await rawRows<{ arrived: boolean; cancelled: boolean }>(
        db,
        // Only a job the ingest made from an upload (a TRANSCODE naming its file) is what an upload became.
        sql`SELECT EXISTS (SELECT 1 FROM generation_jobs
                           WHERE id = ${id}::uuid AND user_id = ${userId}::uuid
                             AND job_type = 'TRANSCODE' AND parameters -> 'upload' IS NOT NULL)
                OR EXISTS (SELECT 1 FROM upload_reservations r
                           WHERE r.id = ${id}::uuid AND r.user_id = ${userId}::uuid AND r.arrived_at IS NOT NULL
                             AND NOT ${orphaned})
                AS arrived,
                EXISTS (SELECT 1 FROM cancelled_uploads WHERE id = ${id}::uuid AND user_id = ${userId}::uuid)
                AS cancelled`,
      );
      if (state?.arrived) return 'arrived';
      return state?.cancelled ? 'cancelled' : 'unknown';
    },

    /** Whether the upload was cancelled by its owner (its file, should it arrive, is to be deleted). */
    async wasCancelled(id: string): Promise<boolean> {
      const [row] = await db
        .select({ id: cancelledUploads.id })
        .from(cancelledUploads)
        .where(eq(cancelledUploads.id, id));
      return row !== undefined;
    },

    /** The user's counters, for tests and the quota message. */
    async totals(userId: string) {
      const [row] = await db
        .select({ reserved: users.storageReserved, used: users.storageUsed, limit: users.storageLimit })
        .from(users)
        .where(eq(users.id, userId));
      return row;
    },
  };
}

export type ReservationRepository = ReturnType<typeof createReservationRepository>;
