CREATE INDEX "generation_jobs_user_created_idx" ON "generation_jobs" USING btree ("user_id","created_at");--> statement-breakpoint
-- A user's jobs created after `since`, counted up to `most` (the submission rate limit). VOLATILE, so it
-- reads with a snapshot taken when it is called: job creation calls it once the owner's row is locked, and
-- it then sees the jobs of the submissions that held the lock before, which the statement's own snapshot
-- (taken before the lock was granted) does not.
CREATE FUNCTION jobs_created_since(for_user uuid, since timestamptz, most int) RETURNS int
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN (SELECT count(*) FROM (
    SELECT 1 FROM generation_jobs WHERE user_id = for_user AND created_at > since LIMIT most) recent);
END
$$;
