ALTER TABLE "video_clips" ADD COLUMN "storage_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "video_clips" ADD COLUMN "system" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "video_clips" ADD CONSTRAINT "video_clips_storage_bytes_nonnegative" CHECK ("video_clips"."storage_bytes" >= 0);