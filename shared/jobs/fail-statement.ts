import { type SQL, sql } from 'drizzle-orm';

/**
 * The CTEs `job`, `released` and `freed` of a statement that ends as FAILED, with `message`, the jobs of
 * `generation_jobs j` that `which` picks and that are still QUEUED or PROCESSING, and gives their upload
 * reservations back. `job` returns the ended rows. The caller locks the owner's row before the jobs' rows.
 */
export function failActiveJobs(which: SQL, message: string): SQL {
  return sql`job AS (
    UPDATE generation_jobs j SET status = 'FAILED', error_message = ${message}, completed_at = now()
    WHERE ${which} AND j.status IN ('QUEUED', 'PROCESSING')
    RETURNING j.*
  ), released AS (
    DELETE FROM upload_reservations r USING job WHERE r.id = job.id AND r.user_id = job.user_id
    RETURNING r.user_id, r.bytes
  ), freed AS (
    -- Summed per owner: an UPDATE … FROM would apply only one of several matching rows.
    UPDATE users SET storage_reserved = storage_reserved
                     - (SELECT sum(released.bytes) FROM released WHERE released.user_id = users.id)
    WHERE users.id IN (SELECT user_id FROM released)
  )`;
}
