CREATE TABLE "chat_messages" (
	"workspace_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"subject" text NOT NULL,
	"channel" text NOT NULL,
	"message_id" text NOT NULL,
	"done" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chat_messages_workspace_id_platform_subject_channel_pk" PRIMARY KEY("workspace_id","platform","subject","channel"),
	CONSTRAINT "chat_messages_platform_check" CHECK ("chat_messages"."platform" in ('slack', 'discord'))
);
--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;