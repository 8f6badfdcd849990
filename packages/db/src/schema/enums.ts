import { pgEnum } from "drizzle-orm/pg-core";

export const memberRole = pgEnum("member_role", ["owner", "admin", "member"]);

export const invitationStatus = pgEnum("invitation_status", [
  "pending",
  "accepted",
  "rejected",
  "canceled",
]);

export const aiProvider = pgEnum("ai_provider", [
  "openai",
  "anthropic",
  "google",
  "mistral",
  "cohere",
]);

export const aiBatchJobStatus = pgEnum("ai_batch_job_status", [
  "queued",
  "running",
  "completed",
  "failed",
  "canceled",
]);

export const researchPlanStatus = pgEnum("research_plan_status", [
  "draft",
  "queued",
  "running",
  "completed",
  "failed",
  "canceled",
]);

export const researchStepStatus = pgEnum("research_step_status", [
  "pending",
  "running",
  "completed",
  "failed",
  "skipped",
]);

export const researchArtifactKind = pgEnum("research_artifact_kind", [
  "web_page",
  "pdf",
  "note",
  "dataset",
  "image",
]);

export const researchOutputFormat = pgEnum("research_output_format", ["markdown", "json", "html"]);

export const documentStatus = pgEnum("document_status", ["pending", "indexed", "failed"]);
