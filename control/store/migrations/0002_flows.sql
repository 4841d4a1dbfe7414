CREATE TABLE "approvals" (
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"migration_id" text NOT NULL,
	"position" integer NOT NULL,
	"user_id" uuid NOT NULL,
	"email" text NOT NULL,
	"vote" text NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"checksum" text NOT NULL,
	"via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_flow_id_migration_id_position_user_id_pk" PRIMARY KEY("flow_id","migration_id","position","user_id"),
	CONSTRAINT "approvals_vote_check" CHECK ("approvals"."vote" in ('approve', 'reject'))
);
--> statement-breakpoint
CREATE TABLE "flow_stages" (
	"flow_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"environment_id" uuid NOT NULL,
	"policy" text NOT NULL,
	"required_approvals" integer NOT NULL,
	"approver_roles" jsonb NOT NULL,
	"approver_emails" jsonb NOT NULL,
	"allow_self_approval" boolean DEFAULT false NOT NULL,
	"connection_ids" jsonb NOT NULL,
	CONSTRAINT "flow_stages_flow_id_position_pk" PRIMARY KEY("flow_id","position"),
	CONSTRAINT "flow_stages_environment_key" UNIQUE("flow_id","environment_id"),
	CONSTRAINT "flow_stages_policy_check" CHECK ("flow_stages"."policy" in ('auto', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"engine" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flows_workspace_name_key" UNIQUE("workspace_id","name")
);
--> statement-breakpoint
CREATE TABLE "migration_stages" (
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"migration_id" text NOT NULL,
	"position" integer NOT NULL,
	"environment_id" uuid NOT NULL,
	"state" text NOT NULL,
	"operation" text DEFAULT 'apply' NOT NULL,
	"checksum" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "migration_stages_flow_id_migration_id_position_pk" PRIMARY KEY("flow_id","migration_id","position")
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_stages" ADD CONSTRAINT "flow_stages_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_stages" ADD CONSTRAINT "flow_stages_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flows" ADD CONSTRAINT "flows_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD CONSTRAINT "migration_stages_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD CONSTRAINT "migration_stages_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD CONSTRAINT "migration_stages_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD CONSTRAINT "migration_stages_workspace_id_migration_id_migrations_workspace_id_id_fk" FOREIGN KEY ("workspace_id","migration_id") REFERENCES "public"."migrations"("workspace_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "migration_stages_env_idx" ON "migration_stages" USING btree ("workspace_id","migration_id","environment_id");