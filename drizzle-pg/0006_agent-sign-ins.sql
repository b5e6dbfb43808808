CREATE TABLE "agent_sign_ins" (
	"agent_id" text PRIMARY KEY NOT NULL,
	"endpoint" text,
	"skills" text NOT NULL,
	"status" text NOT NULL,
	"pause_reason" text,
	"signed_in_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
