ALTER TABLE "templates" DROP CONSTRAINT "templates_creator_name_key";--> statement-breakpoint
-- A user's template names become unique regardless of case (the index below). Of names that differ only by
-- case, the oldest (created_at, then id) stays as it is; each later one gets " (n)" with the smallest n from
-- 2 that no other of the user's names takes in any case, its name cut to keep within 100 characters. The
-- loop sees its own renames, so two later ones never get the same suffix.
DO $$
DECLARE
  later record;
  n integer;
  candidate text;
BEGIN
  FOR later IN
    SELECT t."id", t."created_by", t."name" FROM "templates" AS t
    WHERE t."created_by" IS NOT NULL AND EXISTS (
      SELECT 1 FROM "templates" AS o
      WHERE o."created_by" = t."created_by" AND lower(o."name") = lower(t."name")
        AND (o."created_at", o."id") < (t."created_at", t."id")
    )
    ORDER BY t."created_by", t."created_at", t."id"
  LOOP
    n := 2;
    LOOP
      candidate := left(later."name", 100 - char_length(' (' || n || ')')) || ' (' || n || ')';
      EXIT WHEN NOT EXISTS (
        SELECT 1 FROM "templates" AS o
        WHERE o."created_by" = later."created_by" AND lower(o."name") = lower(candidate)
      );
      n := n + 1;
    END LOOP;
    UPDATE "templates" SET "name" = candidate, "updated_at" = now() WHERE "id" = later."id";
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE UNIQUE INDEX "templates_creator_name_lower_key" ON "templates" USING btree ("created_by",lower("name"));
