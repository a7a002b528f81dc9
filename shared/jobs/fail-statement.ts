import { type SQL, sql } from 'drizzle-orm';

/**
 * The CTEs `ended_jobs`, `released`, `freed` and `job` of a statement that ends as FAILED, with `message`, the jobs of
 * `generation_jobs j` that `which` picks and that are still QUEUED or PROCESSING, and gives their upload
 * reservations back. `job` returns the ended rows. The caller locks the owner's row before the jobs' rows.
 */
export function failActiveJobs(which: SQL, message: string): SQL {
  return sql`ended_jobs AS (
    UPDATE generation_jobs j SET status = 'FAILED', error_message = ${message}, completed_at = now()
    WHERE ${which} AND j.status IN ('QUEUED', 'PROCESSING')
    RETURNING j.*
  ), released AS (
    DELETE FROM upload_reservations r USING ended_jobs job WHERE r.id = job.id AND r.user_id = job.user_id
    RETURNING r.user_id, r.bytes
  ), freed AS (
    -- Through the function: the owner's row, locked by the caller, is written once (migration 0022).
    SELECT add_user_storage(user_id, 0::bigint, -sum(bytes)::bigint) FROM released GROUP BY user_id
  ), job AS (
    -- Reads freed, so that it runs: a WITH arm that only selects runs when something reads it.
    SELECT * FROM ended_jobs WHERE (SELECT count(*) FROM freed) >= 0
  )`;
}
