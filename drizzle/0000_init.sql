CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_tokens_name_unique" UNIQUE("name"),
	CONSTRAINT "api_tokens_secret_hash_unique" UNIQUE("secret_hash")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"job_id" uuid,
	"task_ids" uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "job_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL,
	"job_id" uuid NOT NULL,
	"previous_status" text,
	"status" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "jobs_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text,
	"priority" integer DEFAULT 50 NOT NULL,
	"suspended" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"next_index" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "task_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "task_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL,
	"kind" text NOT NULL,
	"task_id" uuid NOT NULL,
	"job_id" uuid,
	"thread" text,
	"previous_status" text,
	"status" text,
	"progress" double precision,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "tasks_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text,
	"conf" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"job_id" uuid,
	"job_index" integer,
	"parent_id" uuid,
	"thread" text,
	"priority" integer DEFAULT 50 NOT NULL,
	"timeout_ms" integer,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"ref_id" text,
	"auto" boolean DEFAULT false NOT NULL,
	"archive" boolean DEFAULT false NOT NULL,
	"open" boolean DEFAULT false NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"message" text,
	"result" jsonb,
	"result_type" text,
	"error_info" text[] DEFAULT '{}'::text[] NOT NULL,
	"resident_on" text,
	"lease_expires_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"progress_event_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"suspended_by_job" boolean DEFAULT false NOT NULL,
	"destroy_pending" boolean DEFAULT false NOT NULL,
	"pending_conclusion" jsonb,
	"conclude_at" timestamp with time zone,
	CONSTRAINT "tasks_status_check" CHECK ("tasks"."status" IN ('PENDING','QUEUED','RUNNING','SUSPENDED','CANCELLING','COMPLETED','FAILED','CANCELLED'))
);
--> statement-breakpoint
CREATE TABLE "threads" (
	"name" text PRIMARY KEY NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "threads_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"paused" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"name" text PRIMARY KEY NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "job_events_order_idx" ON "job_events" USING btree ("txid","id");--> statement-breakpoint
CREATE INDEX "job_events_job_idx" ON "job_events" USING btree ("job_id","txid","id");--> statement-breakpoint
CREATE INDEX "job_events_at_idx" ON "job_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_seq_idx" ON "jobs" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "jobs_name_idx" ON "jobs" USING btree ("name","seq");--> statement-breakpoint
CREATE INDEX "jobs_status_idx" ON "jobs" USING btree ("status","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "task_events_order_idx" ON "task_events" USING btree ("txid","id");--> statement-breakpoint
CREATE INDEX "task_events_task_idx" ON "task_events" USING btree ("task_id","txid","id");--> statement-breakpoint
CREATE INDEX "task_events_job_idx" ON "task_events" USING btree ("job_id","txid","id") WHERE "task_events"."job_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "task_events_at_idx" ON "task_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_seq_idx" ON "tasks" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_job_index_idx" ON "tasks" USING btree ("job_id","job_index");--> statement-breakpoint
CREATE INDEX "tasks_claim_idx" ON "tasks" USING btree ("priority" DESC NULLS LAST,"seq") WHERE "tasks"."status" = 'QUEUED';--> statement-breakpoint
CREATE INDEX "tasks_thread_idx" ON "tasks" USING btree ("thread","seq") WHERE "tasks"."thread" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_name_idx" ON "tasks" USING btree ("name","seq");--> statement-breakpoint
CREATE INDEX "tasks_ref_id_idx" ON "tasks" USING btree ("ref_id") WHERE "tasks"."ref_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "tasks_job_status_idx" ON "tasks" USING btree ("job_id","status");--> statement-breakpoint
CREATE INDEX "tasks_parent_idx" ON "tasks" USING btree ("parent_id","seq") WHERE "tasks"."parent_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_resident_idx" ON "tasks" USING btree ("resident_on") WHERE "tasks"."resident_on" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_lease_idx" ON "tasks" USING btree ("lease_expires_at") WHERE "tasks"."status" IN ('RUNNING', 'CANCELLING');--> statement-breakpoint
CREATE INDEX "tasks_conclude_at_idx" ON "tasks" USING btree ("conclude_at") WHERE "tasks"."conclude_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "tasks_finished_idx" ON "tasks" USING btree ("finished_at") WHERE "tasks"."finished_at" IS NOT NULL;