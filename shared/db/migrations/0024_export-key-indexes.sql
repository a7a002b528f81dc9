-- The account export reads a user's clips and webhook deliveries by id after the last one read: (user_id, id)
-- makes each call one range of an index. They replace the (user_id) indexes, which they cover.
-- On a large table, CREATE INDEX blocks writes to it until the migration commits (and the Data API ends a
-- statement after 45 s): run the two CREATE INDEX CONCURRENTLY over a direct connection before the deploy,
-- and these statements (IF NOT EXISTS) find them built.
CREATE INDEX IF NOT EXISTS "video_clips_user_id_idx" ON "video_clips" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "webhook_deliveries_user_id_idx" ON "webhook_deliveries" USING btree ("user_id","id");--> statement-breakpoint
DROP INDEX IF EXISTS "video_clips_user_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "webhook_deliveries_user_idx";
