CREATE TABLE "upload_reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"bytes" bigint NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "upload_reservations_bytes_positive" CHECK ("upload_reservations"."bytes" > 0)
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_username_key";--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD COLUMN "admitted" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "storage_reserved" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "active_jobs" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "video_clips" ADD COLUMN "storage_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "video_clips" ADD COLUMN "system" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "upload_reservations" ADD CONSTRAINT "upload_reservations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "upload_reservations_user_expires_idx" ON "upload_reservations" USING btree ("user_id","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" USING btree (lower("username"));--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_storage_reserved_range" CHECK ("users"."storage_reserved" >= 0 AND "users"."storage_used" + "users"."storage_reserved" <= "users"."storage_limit");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_active_jobs_nonnegative" CHECK ("users"."active_jobs" >= 0);--> statement-breakpoint
ALTER TABLE "video_clips" ADD CONSTRAINT "video_clips_storage_bytes_nonnegative" CHECK ("video_clips"."storage_bytes" >= 0);