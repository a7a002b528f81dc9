CREATE TABLE "cancelled_uploads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "upload_reservations" ADD COLUMN "file_name" text;--> statement-breakpoint
ALTER TABLE "upload_reservations" ADD COLUMN "arrived_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "cancelled_uploads" ADD CONSTRAINT "cancelled_uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cancelled_uploads_user_expires_idx" ON "cancelled_uploads" USING btree ("user_id","expires_at");--> statement-breakpoint
-- Reservations already held for a job (their file arrived before this migration) cannot be cancelled.
UPDATE "upload_reservations" r SET "arrived_at" = r."created_at"
WHERE EXISTS (SELECT 1 FROM "generation_jobs" j WHERE j."id" = r."id");
