CREATE TABLE "generation_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"clip_id" uuid,
	"template_id" uuid,
	"job_type" text NOT NULL,
	"status" text DEFAULT 'QUEUED' NOT NULL,
	"prompt" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"error_message" text,
	"started_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "generation_jobs_progress_range" CHECK ("generation_jobs"."progress" BETWEEN 0 AND 100),
	CONSTRAINT "generation_jobs_prompt_length" CHECK (char_length("generation_jobs"."prompt") BETWEEN 1 AND 2000),
	CONSTRAINT "generation_jobs_type_valid" CHECK ("generation_jobs"."job_type" IN ('GENERATE', 'EDIT', 'ENHANCE', 'TRANSCODE')),
	CONSTRAINT "generation_jobs_status_valid" CHECK ("generation_jobs"."status" IN ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED'))
);
--> statement-breakpoint
CREATE TABLE "job_source_clips" (
	"job_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"clip_id" uuid,
	CONSTRAINT "job_source_clips_job_id_position_pk" PRIMARY KEY("job_id","position")
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"category" text NOT NULL,
	"thumbnail_url" text,
	"prompt" text NOT NULL,
	"parameters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"usage_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "templates_creator_name_key" UNIQUE("created_by","name"),
	CONSTRAINT "templates_name_length" CHECK (char_length("templates"."name") BETWEEN 1 AND 100),
	CONSTRAINT "templates_description_length" CHECK (char_length("templates"."description") <= 1000),
	CONSTRAINT "templates_prompt_length" CHECK (char_length("templates"."prompt") BETWEEN 1 AND 2000),
	CONSTRAINT "templates_usage_nonnegative" CHECK ("templates"."usage_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"username" text NOT NULL,
	"password_hash" text,
	"subscription_tier" text DEFAULT 'FREE' NOT NULL,
	"storage_used" bigint DEFAULT 0 NOT NULL,
	"storage_limit" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_key" UNIQUE("email"),
	CONSTRAINT "users_username_key" UNIQUE("username"),
	CONSTRAINT "users_storage_used_range" CHECK ("users"."storage_used" >= 0 AND "users"."storage_used" <= "users"."storage_limit"),
	CONSTRAINT "users_username_format" CHECK ("users"."username" ~ '^[A-Za-z0-9_]{3,30}$'),
	CONSTRAINT "users_tier_valid" CHECK ("users"."subscription_tier" IN ('FREE', 'BASIC', 'PRO', 'ENTERPRISE'))
);
--> statement-breakpoint
CREATE TABLE "video_clips" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"title" text NOT NULL,
	"duration" double precision NOT NULL,
	"file_url" text NOT NULL,
	"thumbnail_url" text,
	"file_size" bigint NOT NULL,
	"resolution" text NOT NULL,
	"format" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "video_clips_title_length" CHECK (char_length("video_clips"."title") BETWEEN 1 AND 100),
	CONSTRAINT "video_clips_duration_positive" CHECK ("video_clips"."duration" > 0),
	CONSTRAINT "video_clips_file_size_nonnegative" CHECK ("video_clips"."file_size" >= 0),
	CONSTRAINT "video_clips_resolution_format" CHECK ("video_clips"."resolution" ~ '^[0-9]{2,5}x[0-9]{2,5}$')
);
--> statement-breakpoint
CREATE TABLE "video_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'DRAFT' NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "video_projects_id_user_key" UNIQUE("id","user_id"),
	CONSTRAINT "video_projects_title_length" CHECK (char_length("video_projects"."title") BETWEEN 1 AND 100),
	CONSTRAINT "video_projects_description_length" CHECK (char_length("video_projects"."description") <= 1000),
	CONSTRAINT "video_projects_status_valid" CHECK ("video_projects"."status" IN ('DRAFT', 'PROCESSING', 'COMPLETED', 'FAILED'))
);
--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_clip_id_video_clips_id_fk" FOREIGN KEY ("clip_id") REFERENCES "public"."video_clips"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_template_id_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "generation_jobs" ADD CONSTRAINT "generation_jobs_project_fk" FOREIGN KEY ("project_id","user_id") REFERENCES "public"."video_projects"("id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_source_clips" ADD CONSTRAINT "job_source_clips_job_id_generation_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."generation_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_source_clips" ADD CONSTRAINT "job_source_clips_clip_id_video_clips_id_fk" FOREIGN KEY ("clip_id") REFERENCES "public"."video_clips"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_clips" ADD CONSTRAINT "video_clips_project_fk" FOREIGN KEY ("project_id","user_id") REFERENCES "public"."video_projects"("id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_projects" ADD CONSTRAINT "video_projects_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "generation_jobs_project_created_idx" ON "generation_jobs" USING btree ("project_id","created_at","id");--> statement-breakpoint
CREATE INDEX "generation_jobs_user_status_idx" ON "generation_jobs" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "generation_jobs_clip_idx" ON "generation_jobs" USING btree ("clip_id");--> statement-breakpoint
CREATE INDEX "generation_jobs_template_idx" ON "generation_jobs" USING btree ("template_id");--> statement-breakpoint
CREATE INDEX "job_source_clips_clip_idx" ON "job_source_clips" USING btree ("clip_id");--> statement-breakpoint
CREATE INDEX "templates_creator_created_idx" ON "templates" USING btree ("created_by","created_at","id");--> statement-breakpoint
CREATE INDEX "templates_public_created_idx" ON "templates" USING btree ("created_at","id") WHERE "templates"."is_public";--> statement-breakpoint
CREATE INDEX "video_clips_project_created_idx" ON "video_clips" USING btree ("project_id","created_at","id");--> statement-breakpoint
CREATE INDEX "video_clips_user_idx" ON "video_clips" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "video_projects_user_created_idx" ON "video_projects" USING btree ("user_id","created_at","id");