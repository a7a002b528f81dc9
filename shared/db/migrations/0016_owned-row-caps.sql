ALTER TABLE "users" ADD COLUMN "project_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "template_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "upload_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_project_count_nonnegative" CHECK ("users"."project_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_template_count_nonnegative" CHECK ("users"."template_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_upload_count_nonnegative" CHECK ("users"."upload_count" >= 0);--> statement-breakpoint
-- The counters of 0013, extended to projects, templates and upload reservations. A template's owner is its
-- created_by, so the trigger now takes the owner column as an optional second argument.
CREATE OR REPLACE FUNCTION count_owned_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owner_column text := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1] ELSE 'user_id' END;
  owner uuid;
BEGIN
  -- Added before it is taken away: an owner change of a row never takes a counter below zero on the way.
  IF TG_OP <> 'DELETE' THEN
    EXECUTE format('SELECT ($1).%I', owner_column) INTO owner USING NEW;
    EXECUTE format('UPDATE users SET %1$I = %1$I + 1 WHERE id = $1', TG_ARGV[0]) USING owner;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    EXECUTE format('SELECT ($1).%I', owner_column) INTO owner USING OLD;
    EXECUTE format('UPDATE users SET %1$I = %1$I - 1 WHERE id = $1', TG_ARGV[0]) USING owner;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Created before the back-fill: their locks hold inserts and deletes until the migration commits.
CREATE TRIGGER video_projects_count_owned
AFTER INSERT OR DELETE OR UPDATE OF user_id ON video_projects
FOR EACH ROW EXECUTE FUNCTION count_owned_rows('project_count');
--> statement-breakpoint
CREATE TRIGGER templates_count_owned
AFTER INSERT OR DELETE OR UPDATE OF created_by ON templates
FOR EACH ROW EXECUTE FUNCTION count_owned_rows('template_count', 'created_by');
--> statement-breakpoint
CREATE TRIGGER upload_reservations_count_owned
AFTER INSERT OR DELETE OR UPDATE OF user_id ON upload_reservations
FOR EACH ROW EXECUTE FUNCTION count_owned_rows('upload_count');
--> statement-breakpoint
-- A user past a bound keeps every row and creates none until below it.
UPDATE users SET
  project_count = (SELECT count(*) FROM video_projects p WHERE p.user_id = users.id),
  template_count = (SELECT count(*) FROM templates t WHERE t.created_by = users.id),
  upload_count = (SELECT count(*) FROM upload_reservations r WHERE r.user_id = users.id);
