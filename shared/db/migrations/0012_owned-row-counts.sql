ALTER TABLE "users" ADD COLUMN "api_key_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "webhook_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_api_key_count_nonnegative" CHECK ("users"."api_key_count" >= 0);--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_webhook_count_nonnegative" CHECK ("users"."webhook_count" >= 0);