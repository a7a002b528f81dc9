-- Writes to a row that a statement has already locked. A statement that locks a row (FOR NO KEY UPDATE in
-- one of its WITH arms) and then updates it again in another arm reads that row as its snapshot saw it.
-- When the row changed after the snapshot (the lock waited for that change to commit), the second arm goes
-- through the old version's tuple lock, and a session queued on that lock waits for this one: a deadlock
-- PostgreSQL breaks by failing one of them ("while locking updated version of tuple"). A function's
-- statements take snapshots of their own (READ COMMITTED, VOLATILE), which show the newest version, the one
-- this transaction already holds, so writing through these functions touches the row once per snapshot.

-- Adds to a user's stored and reserved bytes; the range checks on users hold as for a direct UPDATE.
-- storage_used changing moves updated_at (and the storage meter, by its trigger).
CREATE FUNCTION add_user_storage(p_user uuid, p_used bigint, p_reserved bigint) RETURNS uuid
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  found_id uuid;
BEGIN
  UPDATE users
  SET storage_used = storage_used + p_used,
      storage_reserved = storage_reserved + p_reserved,
      updated_at = CASE WHEN p_used <> 0 THEN now() ELSE updated_at END
  WHERE id = p_user
  RETURNING id INTO found_id;
  RETURN found_id;
END
$$;
--> statement-breakpoint
-- Records a failed delivery attempt on its endpoint: the endpoint's run of failures starts now unless one
-- has; an endpoint that has failed for p_disable_after_secs is disabled. Returns whether this call disabled
-- it, or NULL when the endpoint is gone.
CREATE FUNCTION record_webhook_failure(p_endpoint uuid, p_disable_after_secs float8, p_reason text)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  expire boolean;
BEGIN
  SELECT enabled AND COALESCE(failing_since, now()) <= now() - make_interval(secs => p_disable_after_secs)
  INTO expire
  FROM webhook_endpoints WHERE id = p_endpoint FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE webhook_endpoints
  SET failing_since = COALESCE(failing_since, now()),
      enabled = enabled AND NOT expire,
      disabled_reason = CASE WHEN expire THEN p_reason ELSE disabled_reason END,
      updated_at = CASE WHEN expire THEN now() ELSE updated_at END
  WHERE id = p_endpoint;
  RETURN expire;
END
$$;
