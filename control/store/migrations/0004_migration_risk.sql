ALTER TABLE "migrations" ADD COLUMN "risk_level" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "migrations" ADD COLUMN "risk_report" jsonb;