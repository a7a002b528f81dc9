ALTER TABLE "users" DROP CONSTRAINT "users_username_key";--> statement-breakpoint
ALTER TABLE "video_clips" ADD COLUMN "storage_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "video_clips" ADD COLUMN "system" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" USING btree (lower("username"));--> statement-breakpoint
ALTER TABLE "video_clips" ADD CONSTRAINT "video_clips_storage_bytes_nonnegative" CHECK ("video_clips"."storage_bytes" >= 0);