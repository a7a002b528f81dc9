-- users.active_jobs counts the jobs that hold a concurrent-job slot: QUEUED or PROCESSING, and admitted.
-- Every insert, status or admission change, and delete (also by cascade) adjusts it in the same
-- transaction, so it always equals that count; job creation checks the tier's limit against it.
CREATE FUNCTION generation_jobs_count_slots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  held_before int := 0;
  held_after int := 0;
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.admitted AND OLD.status IN ('QUEUED', 'PROCESSING') THEN
    held_before := 1;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.admitted AND NEW.status IN ('QUEUED', 'PROCESSING') THEN
    held_after := 1;
  END IF;
  IF held_after <> held_before THEN
    UPDATE users SET active_jobs = active_jobs + held_after - held_before
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Created before the back-fill: its lock on generation_jobs holds job writes until the migration commits.
CREATE TRIGGER generation_jobs_count_slots
AFTER INSERT OR DELETE OR UPDATE OF status, admitted ON generation_jobs
FOR EACH ROW EXECUTE FUNCTION generation_jobs_count_slots();
--> statement-breakpoint
UPDATE users SET active_jobs = (
  SELECT count(*) FROM generation_jobs j
  WHERE j.user_id = users.id AND j.admitted AND j.status IN ('QUEUED', 'PROCESSING')
);
