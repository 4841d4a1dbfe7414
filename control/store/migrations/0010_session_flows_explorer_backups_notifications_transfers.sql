CREATE TABLE "explorer_read_credentials" (
	"connection_id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"registered_by" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "explorer_write_grants" (
	"workspace_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"granted_by" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "explorer_write_grants_workspace_id_environment_id_user_id_pk" PRIMARY KEY("workspace_id","environment_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "notification_cursors" (
	"workspace_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"seq" bigint NOT NULL,
	"part" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_cursors_workspace_id_platform_pk" PRIMARY KEY("workspace_id","platform")
);
--> statement-breakpoint
CREATE TABLE "notification_routes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"platform" text NOT NULL,
	"channel" text NOT NULL,
	"flow" text DEFAULT '' NOT NULL,
	"environment" text DEFAULT '' NOT NULL,
	"kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_routes_name_key" UNIQUE("workspace_id","name"),
	CONSTRAINT "notification_routes_platform_check" CHECK ("notification_routes"."platform" in ('slack', 'discord'))
);
--> statement-breakpoint
CREATE TABLE "rollback_scripts" (
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"migration_id" text NOT NULL,
	"position" integer NOT NULL,
	"connection_id" uuid NOT NULL,
	"down_sql" text NOT NULL,
	"checksum" text NOT NULL,
	"reversibility" text NOT NULL,
	"notes" jsonb NOT NULL,
	"origin" text NOT NULL,
	"source" text NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollback_scripts_flow_id_migration_id_position_connection_id_pk" PRIMARY KEY("flow_id","migration_id","position","connection_id"),
	CONSTRAINT "rollback_scripts_origin_check" CHECK ("rollback_scripts"."origin" in ('created', 'preflight'))
);
--> statement-breakpoint
CREATE TABLE "transfer_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"source_connection_id" uuid NOT NULL,
	"target_connection_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"options" jsonb NOT NULL,
	"masked" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"retry_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"fencing_token" bigint DEFAULT 0 NOT NULL,
	"agent_seq" bigint DEFAULT 0 NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rows" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"report" jsonb,
	"error" jsonb,
	"trigger" text NOT NULL,
	"schedule_id" uuid,
	"correlation_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "transfer_jobs_state_check" CHECK ("transfer_jobs"."state" in ('queued', 'pending', 'in_progress', 'completed', 'failed', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "flow_stages" ADD COLUMN "allow_without_backup" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "flow_stages" ADD COLUMN "max_backup_rows" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "flow_stages" ADD COLUMN "risk_approvals" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "flow_stages" ADD COLUMN "block_critical" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "in_doubt_answer" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "expected_down_checksum" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "allow_without_backup" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "max_backup_rows" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "explorer_read_credentials" ADD CONSTRAINT "explorer_read_credentials_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_read_credentials" ADD CONSTRAINT "explorer_read_credentials_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_write_grants" ADD CONSTRAINT "explorer_write_grants_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_write_grants" ADD CONSTRAINT "explorer_write_grants_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_write_grants" ADD CONSTRAINT "explorer_write_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_cursors" ADD CONSTRAINT "notification_cursors_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_routes" ADD CONSTRAINT "notification_routes_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollback_scripts" ADD CONSTRAINT "rollback_scripts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollback_scripts" ADD CONSTRAINT "rollback_scripts_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollback_scripts" ADD CONSTRAINT "rollback_scripts_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollback_scripts" ADD CONSTRAINT "rollback_scripts_workspace_id_migration_id_migrations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","migration_id") REFERENCES "public"."migrations"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_jobs" ADD CONSTRAINT "transfer_jobs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_jobs" ADD CONSTRAINT "transfer_jobs_source_connection_id_connections_id_fk" FOREIGN KEY ("source_connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_jobs" ADD CONSTRAINT "transfer_jobs_target_connection_id_connections_id_fk" FOREIGN KEY ("target_connection_id") REFERENCES "public"."connections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transfer_jobs" ADD CONSTRAINT "transfer_jobs_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "transfer_jobs_workspace_idx" ON "transfer_jobs" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "transfer_jobs_state_idx" ON "transfer_jobs" USING btree ("state","lease_expires_at");