-- Exports a double submit started beside another are failed first (the oldest PENDING one stays), so the
-- index can be built on any existing database.
UPDATE "account_exports" SET "status" = 'FAILED', "completed_at" = now(),
  "error_message" = 'Another export of this account was already being written.'
WHERE "status" = 'PENDING' AND "id" NOT IN (
  SELECT DISTINCT ON ("user_id") "id" FROM "account_exports" WHERE "status" = 'PENDING'
  ORDER BY "user_id", "created_at", "id"
);--> statement-breakpoint
CREATE UNIQUE INDEX "account_exports_one_pending_key" ON "account_exports" USING btree ("user_id") WHERE "account_exports"."status" = 'PENDING';
