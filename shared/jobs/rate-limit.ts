/**
 * The per-user limit on jobs created in any RATE_WINDOW_SECONDS (TierLimits.jobsPerMinute), cancelled and
 * failed jobs included. It is checked inside the statement that creates a job (or an upload, which becomes
 * one), after the owner's row is locked, through jobs_created_since (migration 0017): that function reads
 * with a snapshot taken when it is called, so it sees the jobs of parallel requests that held the lock
 * before, which a count in the statement's own snapshot would miss.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { rawRows } from '../db/sql.ts';
import { SUBSCRIPTION_TIERS, TIER_LIMITS } from '../users/tiers.ts';

export const RATE_WINDOW_SECONDS = 60;

/** The owner's jobs created in the window, counted up to `most`; call it on a row of the locked owner. */
export const jobsInWindow = (userId: SQL, most: SQL) =>
  sql`jobs_created_since(${userId}, now() - ${RATE_WINDOW_SECONDS}::int * interval '1 second', ${most})`;

/** The tier's jobsPerMinute for a subscription_tier column, in SQL. */
export const jobsPerMinuteOf = (tier: SQL) =>
  sql`(${JSON.stringify(Object.fromEntries(SUBSCRIPTION_TIERS.map((t) => [t, TIER_LIMITS[t].jobsPerMinute])))}::jsonb ->> ${tier})::int`;

/** Seconds until the limit-th newest job of the window leaves it, when a place frees (at least 1). */
export async function secondsUntilRateFrees(db: Database, userId: string, limit: number): Promise<number> {
  const rows = await rawRows<{ wait: number }>(
    db,
    sql`
    SELECT ceil(extract(epoch FROM created_at + ${RATE_WINDOW_SECONDS}::int * interval '1 second' - now()))::int
             AS wait
    FROM generation_jobs
    WHERE user_id = ${userId}::uuid AND created_at > now() - ${RATE_WINDOW_SECONDS}::int * interval '1 second'
    ORDER BY created_at DESC
    OFFSET ${limit - 1}::int LIMIT 1`,
  );
  return Math.max(1, Number(rows[0]?.wait ?? 1));
}
