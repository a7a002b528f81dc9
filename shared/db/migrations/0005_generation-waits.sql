CREATE TABLE "generation_waits" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"task_token" text NOT NULL,
	"generation" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "generation_waits" ADD CONSTRAINT "generation_waits_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE cascade ON UPDATE no action;