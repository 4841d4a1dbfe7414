CREATE TABLE "gitops_deliveries" (
	"link_id" uuid NOT NULL,
	"delivery_id" text NOT NULL,
	"commit" text DEFAULT '' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gitops_deliveries_link_id_delivery_id_pk" PRIMARY KEY("link_id","delivery_id")
);
--> statement-breakpoint
CREATE TABLE "gitops_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "gitops_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" uuid NOT NULL,
	"link_name" text NOT NULL,
	"kind" text NOT NULL,
	"commit" text DEFAULT '' NOT NULL,
	"summary" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gitops_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"provider" text NOT NULL,
	"clone_url" text NOT NULL,
	"repository" text DEFAULT '' NOT NULL,
	"branch" text NOT NULL,
	"directory" text NOT NULL,
	"engine" text NOT NULL,
	"auto_promote_flow" text DEFAULT '' NOT NULL,
	"api_base_url" text DEFAULT '' NOT NULL,
	"webhook_secret_enc" text,
	"provider_token_enc" text,
	"last_commit" text DEFAULT '' NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gitops_links_workspace_name_key" UNIQUE("workspace_id","name"),
	CONSTRAINT "gitops_links_provider_check" CHECK ("gitops_links"."provider" in ('github', 'gitlab', 'git'))
);
--> statement-breakpoint
ALTER TABLE "gitops_deliveries" ADD CONSTRAINT "gitops_deliveries_link_id_gitops_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."gitops_links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gitops_events" ADD CONSTRAINT "gitops_events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gitops_links" ADD CONSTRAINT "gitops_links_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gitops_events_workspace_idx" ON "gitops_events" USING btree ("workspace_id","id");