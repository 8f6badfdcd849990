DO $$ BEGIN
 CREATE TYPE "public"."ai_batch_job_status" AS ENUM('queued', 'running', 'completed', 'failed', 'canceled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."ai_provider" AS ENUM('openai', 'anthropic', 'google', 'mistral', 'cohere');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."document_status" AS ENUM('pending', 'indexed', 'failed');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."invitation_status" AS ENUM('pending', 'accepted', 'rejected', 'canceled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."member_role" AS ENUM('owner', 'admin', 'member');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."research_artifact_kind" AS ENUM('web_page', 'pdf', 'note', 'dataset', 'image');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."research_output_format" AS ENUM('markdown', 'json', 'html');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."research_plan_status" AS ENUM('draft', 'queued', 'running', 'completed', 'failed', 'canceled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."research_step_status" AS ENUM('pending', 'running', 'completed', 'failed', 'skipped');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "organization" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"logo" text,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organization_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "ai_batch_job" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"model_id" text NOT NULL,
	"created_by_id" text,
	"status" "ai_batch_job_status" DEFAULT 'queued' NOT NULL,
	"provider_batch_id" text,
	"request_count" integer DEFAULT 0 NOT NULL,
	"completed_count" integer DEFAULT 0 NOT NULL,
	"failed_count" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "ai_batch_job" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "ai_model" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" "ai_provider" NOT NULL,
	"name" text NOT NULL,
	"display_name" text NOT NULL,
	"context_window" integer NOT NULL,
	"embedding_dimensions" integer,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "ai_model_pricing" (
	"id" text PRIMARY KEY NOT NULL,
	"model_id" text NOT NULL,
	"input_usd_per_million" numeric(12, 6) NOT NULL,
	"output_usd_per_million" numeric(12, 6) NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_to" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "ai_usage" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"model_id" text NOT NULL,
	"user_id" text,
	"batch_job_id" text,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cost_usd" numeric(14, 6) NOT NULL,
	"request_id" text
);
--> statement-breakpoint
ALTER TABLE "ai_usage" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "account" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"user_id" text NOT NULL,
	"access_token" text,
	"refresh_token" text,
	"id_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token_expires_at" timestamp with time zone,
	"scope" text,
	"password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "invitation" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"email" text NOT NULL,
	"role" "member_role" DEFAULT 'member' NOT NULL,
	"status" "invitation_status" DEFAULT 'pending' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"inviter_id" text
);
--> statement-breakpoint
ALTER TABLE "invitation" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "member" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" text NOT NULL,
	"role" "member_role" DEFAULT 'member' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "member" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "session" (
	"id" text PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip_address" text,
	"user_agent" text,
	"user_id" text NOT NULL,
	"active_organization_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "user" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"image" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "verification" (
	"id" text PRIMARY KEY NOT NULL,
	"identifier" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "personal_access_token" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"display_prefix" text NOT NULL,
	"scopes" text[] DEFAULT '{}' NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "personal_access_token_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_artifact" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"plan_id" text NOT NULL,
	"step_id" text,
	"kind" "research_artifact_kind" NOT NULL,
	"title" text NOT NULL,
	"uri" text,
	"content" text,
	"metadata" jsonb
);
--> statement-breakpoint
ALTER TABLE "research_artifact" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_extraction" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"plan_id" text NOT NULL,
	"artifact_id" text NOT NULL,
	"field" text NOT NULL,
	"value" jsonb NOT NULL,
	"confidence" real,
	CONSTRAINT "research_extraction_confidence_check" CHECK ("research_extraction"."confidence" is null or "research_extraction"."confidence" between 0 and 1)
);
--> statement-breakpoint
ALTER TABLE "research_extraction" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_feedback" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"plan_id" text NOT NULL,
	"output_id" text,
	"user_id" text,
	"rating" smallint NOT NULL,
	"comment" text,
	CONSTRAINT "research_feedback_rating_check" CHECK ("research_feedback"."rating" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "research_feedback" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_output" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"plan_id" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"format" "research_output_format" DEFAULT 'markdown' NOT NULL,
	"title" text NOT NULL,
	"content" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "research_output" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_plan" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by_id" text,
	"title" text NOT NULL,
	"objective" text NOT NULL,
	"status" "research_plan_status" DEFAULT 'draft' NOT NULL,
	"metadata" jsonb,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "research_plan" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "research_step" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"plan_id" text NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"instructions" text,
	"status" "research_step_status" DEFAULT 'pending' NOT NULL,
	"result" jsonb,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "research_step" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "document" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by_id" text,
	"title" text NOT NULL,
	"source_uri" text,
	"mime_type" text DEFAULT 'text/plain' NOT NULL,
	"content" text NOT NULL,
	"status" "document_status" DEFAULT 'pending' NOT NULL,
	"metadata" jsonb
);
--> statement-breakpoint
ALTER TABLE "document" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "document_chunk" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"document_id" text NOT NULL,
	"position" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer,
	"embedding" halfvec(1536),
	"search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', "document_chunk"."content")) STORED
);
--> statement-breakpoint
ALTER TABLE "document_chunk" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "ai_batch_job" ADD CONSTRAINT "ai_batch_job_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_batch_job" ADD CONSTRAINT "ai_batch_job_model_id_ai_model_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."ai_model"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_batch_job" ADD CONSTRAINT "ai_batch_job_created_by_id_user_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_model_pricing" ADD CONSTRAINT "ai_model_pricing_model_id_ai_model_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."ai_model"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_model_id_ai_model_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."ai_model"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_batch_job_id_ai_batch_job_id_fk" FOREIGN KEY ("batch_job_id") REFERENCES "public"."ai_batch_job"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account" ADD CONSTRAINT "account_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitation" ADD CONSTRAINT "invitation_inviter_id_user_id_fk" FOREIGN KEY ("inviter_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_active_organization_id_organization_id_fk" FOREIGN KEY ("active_organization_id") REFERENCES "public"."organization"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_access_token" ADD CONSTRAINT "personal_access_token_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_plan_id_research_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."research_plan"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_step_id_research_step_id_fk" FOREIGN KEY ("step_id") REFERENCES "public"."research_step"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_extraction" ADD CONSTRAINT "research_extraction_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_extraction" ADD CONSTRAINT "research_extraction_plan_id_research_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."research_plan"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_extraction" ADD CONSTRAINT "research_extraction_artifact_id_research_artifact_id_fk" FOREIGN KEY ("artifact_id") REFERENCES "public"."research_artifact"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_plan_id_research_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."research_plan"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_output_id_research_output_id_fk" FOREIGN KEY ("output_id") REFERENCES "public"."research_output"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_feedback" ADD CONSTRAINT "research_feedback_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_output" ADD CONSTRAINT "research_output_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_output" ADD CONSTRAINT "research_output_plan_id_research_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."research_plan"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_plan" ADD CONSTRAINT "research_plan_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_plan" ADD CONSTRAINT "research_plan_created_by_id_user_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_step" ADD CONSTRAINT "research_step_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_step" ADD CONSTRAINT "research_step_plan_id_research_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."research_plan"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document" ADD CONSTRAINT "document_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document" ADD CONSTRAINT "document_created_by_id_user_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_chunk" ADD CONSTRAINT "document_chunk_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_chunk" ADD CONSTRAINT "document_chunk_document_id_document_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."document"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_batch_job_organizationId_idx" ON "ai_batch_job" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_batch_job_modelId_idx" ON "ai_batch_job" USING btree ("model_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_batch_job_createdById_idx" ON "ai_batch_job" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_batch_job_status_idx" ON "ai_batch_job" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "ai_model_provider_name_idx" ON "ai_model" USING btree ("provider","name");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "ai_model_pricing_modelId_effectiveFrom_idx" ON "ai_model_pricing" USING btree ("model_id","effective_from");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_usage_organizationId_createdAt_idx" ON "ai_usage" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_usage_modelId_idx" ON "ai_usage" USING btree ("model_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_usage_userId_idx" ON "ai_usage" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_usage_batchJobId_idx" ON "ai_usage" USING btree ("batch_job_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "account_userId_idx" ON "account" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "account_providerId_accountId_idx" ON "account" USING btree ("provider_id","account_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "invitation_organizationId_idx" ON "invitation" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "invitation_inviterId_idx" ON "invitation" USING btree ("inviter_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "invitation_email_idx" ON "invitation" USING btree ("email");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "member_organizationId_idx" ON "member" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "member_userId_idx" ON "member" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "member_organizationId_userId_idx" ON "member" USING btree ("organization_id","user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "session_userId_idx" ON "session" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "session_activeOrganizationId_idx" ON "session" USING btree ("active_organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "verification_identifier_idx" ON "verification" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "personal_access_token_userId_idx" ON "personal_access_token" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_artifact_organizationId_idx" ON "research_artifact" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_artifact_planId_idx" ON "research_artifact" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_artifact_stepId_idx" ON "research_artifact" USING btree ("step_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_extraction_organizationId_idx" ON "research_extraction" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_extraction_planId_idx" ON "research_extraction" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_extraction_artifactId_idx" ON "research_extraction" USING btree ("artifact_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_feedback_organizationId_idx" ON "research_feedback" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_feedback_planId_idx" ON "research_feedback" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_feedback_outputId_idx" ON "research_feedback" USING btree ("output_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_feedback_userId_idx" ON "research_feedback" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_output_organizationId_idx" ON "research_output" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "research_output_planId_version_idx" ON "research_output" USING btree ("plan_id","version");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_plan_organizationId_createdAt_idx" ON "research_plan" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_plan_createdById_idx" ON "research_plan" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_plan_status_idx" ON "research_plan" USING btree ("status");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "research_step_organizationId_idx" ON "research_step" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "research_step_planId_position_idx" ON "research_step" USING btree ("plan_id","position");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_organizationId_createdAt_idx" ON "document" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_createdById_idx" ON "document" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunk_organizationId_idx" ON "document_chunk" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "document_chunk_documentId_position_idx" ON "document_chunk" USING btree ("document_id","position");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunk_embedding_idx" ON "document_chunk" USING hnsw ("embedding" halfvec_cosine_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunk_searchVector_idx" ON "document_chunk" USING gin ("search_vector");--> statement-breakpoint
CREATE POLICY "ai_batch_job_tenant_select" ON "ai_batch_job" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_batch_job_tenant_insert" ON "ai_batch_job" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_batch_job_tenant_update" ON "ai_batch_job" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_batch_job_tenant_delete" ON "ai_batch_job" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_select" ON "ai_usage" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_insert" ON "ai_usage" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_update" ON "ai_usage" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "ai_usage_tenant_delete" ON "ai_usage" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "invitation_tenant_select" ON "invitation" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "invitation_tenant_insert" ON "invitation" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "invitation_tenant_update" ON "invitation" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "invitation_tenant_delete" ON "invitation" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "member_tenant_select" ON "member" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "member_tenant_insert" ON "member" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "member_tenant_update" ON "member" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "member_tenant_delete" ON "member" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_select" ON "research_artifact" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_insert" ON "research_artifact" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_update" ON "research_artifact" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_artifact_tenant_delete" ON "research_artifact" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_extraction_tenant_select" ON "research_extraction" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_extraction_tenant_insert" ON "research_extraction" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_extraction_tenant_update" ON "research_extraction" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_extraction_tenant_delete" ON "research_extraction" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_select" ON "research_feedback" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_insert" ON "research_feedback" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_update" ON "research_feedback" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_feedback_tenant_delete" ON "research_feedback" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_output_tenant_select" ON "research_output" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_output_tenant_insert" ON "research_output" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_output_tenant_update" ON "research_output" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_output_tenant_delete" ON "research_output" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_select" ON "research_plan" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_insert" ON "research_plan" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_update" ON "research_plan" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_plan_tenant_delete" ON "research_plan" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_step_tenant_select" ON "research_step" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_step_tenant_insert" ON "research_step" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_step_tenant_update" ON "research_step" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "research_step_tenant_delete" ON "research_step" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_tenant_select" ON "document" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_tenant_insert" ON "document" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_tenant_update" ON "document" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_tenant_delete" ON "document" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_select" ON "document_chunk" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_insert" ON "document_chunk" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_update" ON "document_chunk" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true))) WITH CHECK ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_delete" ON "document_chunk" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("organization_id" = (select current_setting('app.current_organization_id', true)));--> statement-breakpoint
-- Manual addition: global tables have no RLS, so narrow 0001's default privileges for them.
-- Identity and token tables are not for tenant code at all; reference data is read-only.
REVOKE ALL ON TABLE "organization", "user", "session", "account", "verification", "personal_access_token" FROM authenticated;--> statement-breakpoint
REVOKE ALL ON TABLE "ai_model", "ai_model_pricing" FROM authenticated;--> statement-breakpoint
GRANT SELECT ON TABLE "ai_model", "ai_model_pricing" TO authenticated;
