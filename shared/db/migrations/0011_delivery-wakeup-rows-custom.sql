-- A statement trigger fires even when its INSERT wrote no row, and every job event runs the fan-out's
-- INSERT … SELECT whether or not its owner has an endpoint: the sender woke after each one to find nothing.
-- The new rows of the statement (its transition table) now decide whether there is anything to announce.
CREATE OR REPLACE FUNCTION webhook_deliveries_wakeup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_deliveries) THEN
    PERFORM pg_notify('webhook_deliveries', '');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER webhook_deliveries_wakeup ON webhook_deliveries;
--> statement-breakpoint
CREATE TRIGGER webhook_deliveries_wakeup
AFTER INSERT ON webhook_deliveries
REFERENCING NEW TABLE AS new_deliveries
FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_wakeup();
