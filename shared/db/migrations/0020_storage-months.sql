CREATE TABLE "storage_months" (
	"user_id" uuid NOT NULL,
	"month" date NOT NULL,
	"byte_seconds" numeric DEFAULT '0' NOT NULL,
	"closing_bytes" bigint NOT NULL,
	CONSTRAINT "storage_months_user_id_month_pk" PRIMARY KEY("user_id","month"),
	CONSTRAINT "storage_months_byte_seconds_nonnegative" CHECK ("storage_months"."byte_seconds" >= 0)
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "storage_metered_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "storage_months" ADD CONSTRAINT "storage_months_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Meters users.storage_used in S3's way (bytes times time held, per calendar month in UTC). Each change of
-- storage_used, by whatever statement (a clip registered or deleted, a project deleted), first adds the
-- bytes held since storage_metered_at to every month that span touches and records the bytes held after
-- the change as its month's closing figure; the users row's lock orders the changes. The clock is read
-- after the lock is held, so a change never starts before the one it follows (GREATEST guards a clock step
-- back). An erased account's rows go with its users row (ON DELETE CASCADE).
CREATE FUNCTION meter_storage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  upto timestamptz := GREATEST(date_trunc('milliseconds', clock_timestamp()), OLD.storage_metered_at);
  last_month timestamp := date_trunc('month', upto AT TIME ZONE 'UTC');
BEGIN
  INSERT INTO storage_months AS m (user_id, month, byte_seconds, closing_bytes)
  SELECT OLD.id, s.first_day::date,
         OLD.storage_used * extract(epoch FROM
           LEAST(upto, (s.first_day + interval '1 month') AT TIME ZONE 'UTC')
           - GREATEST(OLD.storage_metered_at, s.first_day AT TIME ZONE 'UTC')),
         CASE WHEN s.first_day = last_month THEN NEW.storage_used ELSE OLD.storage_used END
  FROM generate_series(date_trunc('month', OLD.storage_metered_at AT TIME ZONE 'UTC'), last_month,
                       interval '1 month') AS s(first_day)
  -- Months that held nothing need no row, except the one whose closing figure changes.
  WHERE OLD.storage_used > 0 OR s.first_day = last_month
  ON CONFLICT (user_id, month) DO UPDATE
    SET byte_seconds = m.byte_seconds + EXCLUDED.byte_seconds, closing_bytes = EXCLUDED.closing_bytes;
  NEW.storage_metered_at := upto;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_meter_storage
BEFORE UPDATE OF storage_used ON users
FOR EACH ROW WHEN (OLD.storage_used IS DISTINCT FROM NEW.storage_used)
EXECUTE FUNCTION meter_storage();
--> statement-breakpoint
-- Months before this migration, from the clips still held (each since it was registered): deleted clips
-- left no trace, so those months may read low, never high. Every users row's meter starts now (the column
-- default above).
INSERT INTO storage_months (user_id, month, byte_seconds, closing_bytes)
SELECT c.user_id, s.first_day::date,
       sum(c.storage_bytes * extract(epoch FROM
         LEAST(u.storage_metered_at, (s.first_day + interval '1 month') AT TIME ZONE 'UTC')
         - GREATEST(c.created_at, s.first_day AT TIME ZONE 'UTC'))),
       sum(c.storage_bytes)
FROM video_clips c
JOIN users u ON u.id = c.user_id
CROSS JOIN LATERAL generate_series(date_trunc('month', c.created_at AT TIME ZONE 'UTC'),
                                   date_trunc('month', u.storage_metered_at AT TIME ZONE 'UTC'),
                                   interval '1 month') AS s(first_day)
WHERE c.created_at < u.storage_metered_at AND c.storage_bytes > 0
GROUP BY c.user_id, s.first_day;
