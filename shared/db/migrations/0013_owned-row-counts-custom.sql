-- users.api_key_count and users.webhook_count count the user's api_keys and webhook_endpoints rows. Every
-- insert, delete (a cascade from the users row too) and change of owner adjusts the counter named by the
-- trigger's argument in the same transaction, so creation can check a bound against the counter under the
-- users row's lock, which a count of the rows in the statement's snapshot cannot do.
CREATE FUNCTION count_owned_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Added before it is taken away: an owner change of a row never takes a counter below zero on the way.
  IF TG_OP <> 'DELETE' THEN
    EXECUTE format('UPDATE users SET %1$I = %1$I + 1 WHERE id = $1', TG_ARGV[0]) USING NEW.user_id;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    EXECUTE format('UPDATE users SET %1$I = %1$I - 1 WHERE id = $1', TG_ARGV[0]) USING OLD.user_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Created before the back-fill: their locks hold inserts and deletes until the migration commits.
CREATE TRIGGER api_keys_count_owned
AFTER INSERT OR DELETE OR UPDATE OF user_id ON api_keys
FOR EACH ROW EXECUTE FUNCTION count_owned_rows('api_key_count');
--> statement-breakpoint
CREATE TRIGGER webhook_endpoints_count_owned
AFTER INSERT OR DELETE OR UPDATE OF user_id ON webhook_endpoints
FOR EACH ROW EXECUTE FUNCTION count_owned_rows('webhook_count');
--> statement-breakpoint
-- A user past a bound (parallel creations could pass it before) keeps every row and creates none until below.
UPDATE users SET
  api_key_count = (SELECT count(*) FROM api_keys k WHERE k.user_id = users.id),
  webhook_count = (SELECT count(*) FROM webhook_endpoints w WHERE w.user_id = users.id);
