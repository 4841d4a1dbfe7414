CREATE TABLE "explorer_keys" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"mask_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "explorer_mask_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"pattern" text NOT NULL,
	"kind" text NOT NULL,
	"keep_last" integer DEFAULT 0 NOT NULL,
	"exempt_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "explorer_mask_policies_env_pattern_key" UNIQUE("environment_id","pattern"),
	CONSTRAINT "explorer_mask_policies_kind_check" CHECK ("explorer_mask_policies"."kind" in ('full', 'partial', 'hash', 'null'))
);
--> statement-breakpoint
CREATE TABLE "explorer_settings" (
	"workspace_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"writes_allowed" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "explorer_settings_workspace_id_environment_id_pk" PRIMARY KEY("workspace_id","environment_id")
);
--> statement-breakpoint
ALTER TABLE "explorer_keys" ADD CONSTRAINT "explorer_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_mask_policies" ADD CONSTRAINT "explorer_mask_policies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_mask_policies" ADD CONSTRAINT "explorer_mask_policies_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_settings" ADD CONSTRAINT "explorer_settings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explorer_settings" ADD CONSTRAINT "explorer_settings_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE no action ON UPDATE no action;