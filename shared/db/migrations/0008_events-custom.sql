-- The transactional outbox. Triggers write each event in the statement that makes the change it reports,
-- so it commits or rolls back with that change; a new event fans out at once into one pending delivery
-- per enabled webhook endpoint of its owner that wants its type (webhook.test goes only where it is sent).

-- A job as events carry it: the row, with its source clips in order, and for job.completed its clip.
CREATE FUNCTION event_job_data(job generation_jobs) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT to_jsonb(job)
    || jsonb_build_object('source_clip_ids', COALESCE(
         (SELECT jsonb_agg(s.clip_id ORDER BY s.position) FROM job_source_clips s
          WHERE s.job_id = job.id AND s.clip_id IS NOT NULL), '[]'::jsonb))
    || CASE WHEN job.status = 'COMPLETED' THEN
         jsonb_build_object('clip', (SELECT to_jsonb(c) FROM video_clips c WHERE c.id = job.clip_id))
       ELSE '{}'::jsonb END
$$;
--> statement-breakpoint
CREATE FUNCTION generation_jobs_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kind text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    kind := CASE WHEN NEW.status = 'FAILED' THEN 'job.failed' ELSE 'job.created' END;
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    kind := CASE NEW.status
      WHEN 'COMPLETED' THEN 'job.completed'
      WHEN 'FAILED' THEN 'job.failed'
      WHEN 'PROCESSING' THEN 'job.progress'
    END;
  ELSIF NEW.status = 'PROCESSING' AND NEW.progress / 10 > OLD.progress / 10 THEN
    -- At most one event per 10 points of progress.
    kind := 'job.progress';
  END IF;
  IF kind IS NOT NULL THEN
    INSERT INTO events (user_id, type, project_id, job_id, data)
    VALUES (NEW.user_id, kind, NEW.project_id, NEW.id, event_job_data(NEW));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER generation_jobs_events
AFTER INSERT OR UPDATE OF status, progress ON generation_jobs
FOR EACH ROW EXECUTE FUNCTION generation_jobs_events();
--> statement-breakpoint
CREATE FUNCTION video_clips_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A clip removed with its owner's account reports to no one (and could not: the owner row is gone).
  INSERT INTO events (user_id, type, project_id, data)
  SELECT OLD.user_id, 'clip.deleted', OLD.project_id, to_jsonb(OLD)
  WHERE EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER video_clips_events
AFTER DELETE ON video_clips
FOR EACH ROW EXECUTE FUNCTION video_clips_events();
--> statement-breakpoint
CREATE FUNCTION events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type <> 'webhook.test' THEN
    INSERT INTO webhook_deliveries (user_id, endpoint_id, event_seq)
    SELECT NEW.user_id, e.id, NEW.seq FROM webhook_endpoints e
    WHERE e.user_id = NEW.user_id AND e.enabled
      AND (e.event_types = '[]'::jsonb OR e.event_types ? NEW.type);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_fan_out
AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_fan_out();
