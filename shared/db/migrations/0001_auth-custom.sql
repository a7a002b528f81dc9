-- Usernames become unique regardless of case (next migration). Rows that differ only by case keep the
-- oldest as is; the others get a suffix from their id, within the 3–30 letters, digits and underscores rule.
UPDATE "users" AS u
SET "username" = left(u."username", 21) || '_' || left(replace(u."id"::text, '-', ''), 8),
    "updated_at" = now()
WHERE EXISTS (
  SELECT 1 FROM "users" AS o
  WHERE lower(o."username") = lower(u."username")
    AND (o."created_at", o."id") < (u."created_at", u."id")
);
