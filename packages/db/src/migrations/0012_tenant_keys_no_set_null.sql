-- The two same-tenant keys that cleared a column on delete (ON DELETE SET NULL (column), 0010)
-- become NO ACTION: Citus refuses SET NULL / SET DEFAULT on a foreign key that includes the
-- distribution column (docs/scaling.md). Deleting a plan still removes its steps and their
-- artifacts (NO ACTION is checked at the end of the statement); deleting a step or a batch job
-- that is still referenced is refused. No domain function deletes either alone.
-- lint-ignore-file: constraint-missing-not-valid reviewed: tenant tables are small today; on a large table validate separately (docs/scaling.md)
-- lint-ignore-file: adding-foreign-key-constraint reviewed: one transaction, brief lock; the keys are re-added with the same columns
ALTER TABLE "ai_usage" DROP CONSTRAINT "ai_usage_batch_job_id_same_tenant_fk";
--> statement-breakpoint
ALTER TABLE "research_artifact" DROP CONSTRAINT "research_artifact_step_id_same_tenant_fk";
--> statement-breakpoint
ALTER TABLE "ai_usage" ADD CONSTRAINT "ai_usage_batch_job_id_same_tenant_fk" FOREIGN KEY ("organization_id","batch_job_id") REFERENCES "public"."ai_batch_job"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_artifact" ADD CONSTRAINT "research_artifact_step_id_same_tenant_fk" FOREIGN KEY ("organization_id","step_id") REFERENCES "public"."research_step"("organization_id","id") ON DELETE no action ON UPDATE no action;