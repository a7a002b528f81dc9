ALTER TABLE "users" DROP CONSTRAINT "users_username_key";--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" USING btree (lower("username"));