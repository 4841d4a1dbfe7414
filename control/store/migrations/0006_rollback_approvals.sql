ALTER TABLE "approvals" ADD COLUMN "operation" text DEFAULT 'apply' NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" DROP CONSTRAINT "approvals_flow_id_migration_id_position_user_id_pk";--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_flow_id_migration_id_position_operation_user_id_pk" PRIMARY KEY("flow_id","migration_id","position","operation","user_id");--> statement-breakpoint
ALTER TABLE "flow_stages" ADD COLUMN "rollback_approvals" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD COLUMN "rollback_requested_by" text;--> statement-breakpoint
ALTER TABLE "migration_stages" ADD COLUMN "rollback_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_operation_check" CHECK ("approvals"."operation" in ('apply', 'revert'));