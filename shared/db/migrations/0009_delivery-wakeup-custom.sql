-- New deliveries announce themselves on commit, so an in-process sender (npm start) can send them at once
-- instead of at its next look. Deployed nothing listens (the Data API cannot LISTEN; the relay polls), and a
-- notification nobody listens for costs next to nothing.
CREATE FUNCTION webhook_deliveries_wakeup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('webhook_deliveries', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER webhook_deliveries_wakeup
AFTER INSERT ON webhook_deliveries
FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_wakeup();
