CREATE TABLE "job_usage" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"job_type" text NOT NULL,
	"outcome" text NOT NULL,
	"model" text,
	"resolution" text,
	"has_hls" boolean DEFAULT false NOT NULL,
	"seconds" double precision NOT NULL,
	"ended_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "job_usage_outcome_valid" CHECK ("job_usage"."outcome" IN ('completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "job_usage" ADD CONSTRAINT "job_usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_usage_user_ended_idx" ON "job_usage" USING btree ("user_id","ended_at");--> statement-breakpoint
-- Records what a job used when it ends, with the figures GET /v1/me/usage used to compute from the live rows:
-- outcome (a user's cancellation ends FAILED with its own message), the clip's duration, else the requested
-- one, and its frame size and HLS ladder. Row-level AFTER triggers fire once the whole statement has run,
-- data-modifying WITH arms included, so the clip that registration inserts in the statement that completes
-- the job (clips/repository.ts) is visible here.
-- A later change of completed_at moves the job to its new month; nothing else is rewritten.
CREATE FUNCTION record_job_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_usage AS u (job_id, user_id, job_type, outcome, model, resolution, has_hls, seconds, ended_at)
  SELECT NEW.id, NEW.user_id, NEW.job_type,
         CASE WHEN NEW.status = 'COMPLETED' THEN 'completed'
              WHEN NEW.error_message = 'Cancelled by user.' THEN 'cancelled' ELSE 'failed' END,
         NEW.parameters->>'model', c.resolution, COALESCE(c.system->>'hasHls' = 'true', false),
         CASE WHEN NEW.status <> 'COMPLETED' THEN 0
              ELSE COALESCE(c.duration, CASE WHEN jsonb_typeof(NEW.parameters->'durationSeconds') = 'number'
                                              THEN (NEW.parameters->>'durationSeconds')::float8 END, 0) END,
         NEW.completed_at
  FROM (SELECT 1) AS one
  LEFT JOIN video_clips c ON c.id = NEW.clip_id
  ON CONFLICT (job_id) DO UPDATE SET ended_at = EXCLUDED.ended_at
    WHERE u.ended_at IS DISTINCT FROM EXCLUDED.ended_at;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER generation_jobs_record_usage
AFTER INSERT OR UPDATE OF status, completed_at ON generation_jobs
FOR EACH ROW WHEN (NEW.status IN ('COMPLETED', 'FAILED') AND NEW.completed_at IS NOT NULL)
EXECUTE FUNCTION record_job_usage();
--> statement-breakpoint
-- Jobs that ended before this migration, as far as their rows still tell: jobs deleted with their project
-- before it left no trace.
INSERT INTO job_usage (job_id, user_id, job_type, outcome, model, resolution, has_hls, seconds, ended_at)
SELECT j.id, j.user_id, j.job_type,
       CASE WHEN j.status = 'COMPLETED' THEN 'completed'
            WHEN j.error_message = 'Cancelled by user.' THEN 'cancelled' ELSE 'failed' END,
       j.parameters->>'model', c.resolution, COALESCE(c.system->>'hasHls' = 'true', false),
       CASE WHEN j.status <> 'COMPLETED' THEN 0
            ELSE COALESCE(c.duration, CASE WHEN jsonb_typeof(j.parameters->'durationSeconds') = 'number'
                                            THEN (j.parameters->>'durationSeconds')::float8 END, 0) END,
       j.completed_at
FROM generation_jobs j
LEFT JOIN video_clips c ON c.id = j.clip_id
WHERE j.status IN ('COMPLETED', 'FAILED') AND j.completed_at IS NOT NULL;
