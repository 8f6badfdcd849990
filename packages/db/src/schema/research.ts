import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { user } from "./auth";
import { sameTenant, tenantTable } from "./base";
import {
  researchArtifactKind,
  researchOutputFormat,
  researchPlanStatus,
  researchStepStatus,
} from "./enums";

// Every research table is tenant-scoped. A plan owns its steps, artifacts, outputs,
// feedback and extractions: deleting the plan deletes them (ON DELETE CASCADE). References
// to users are SET NULL: the research stays with the organization when a person leaves.

export const researchPlan = tenantTable(
  "research_plan",
  {
    createdById: text("created_by_id").references(() => user.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    objective: text("objective").notNull(),
    status: researchPlanStatus("status").notNull().default("draft"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (table) => [
    // (organization_id, created_at) serves RLS and "newest plans of my organization".
    index("research_plan_organizationId_createdAt_idx").on(table.organizationId, table.createdAt),
    index("research_plan_createdById_idx").on(table.createdById),
    index("research_plan_status_idx").on(table.status),
  ],
);

export const researchStep = tenantTable(
  "research_step",
  {
    planId: text("plan_id").notNull(),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    instructions: text("instructions"),
    status: researchStepStatus("status").notNull().default("pending"),
    result: jsonb("result").$type<Record<string, unknown>>(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (table) => [
    sameTenant(
      "research_step",
      { organizationId: table.organizationId, column: table.planId },
      researchPlan,
      "cascade",
    ),
    // (organization_id, plan_id) leads: it also serves the same-tenant foreign key.
    uniqueIndex("research_step_planId_position_idx").on(
      table.organizationId,
      table.planId,
      table.position,
    ),
  ],
);

export const researchArtifact = tenantTable(
  "research_artifact",
  {
    planId: text("plan_id").notNull(),
    // An artifact may outlive the step that found it.
    stepId: text("step_id"),
    kind: researchArtifactKind("kind").notNull(),
    title: text("title").notNull(),
    uri: text("uri"),
    content: text("content"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
  },
  (table) => [
    sameTenant(
      "research_artifact",
      { organizationId: table.organizationId, column: table.planId },
      researchPlan,
      "cascade",
    ),
    sameTenant(
      "research_artifact",
      { organizationId: table.organizationId, column: table.stepId },
      researchStep,
      "set null",
    ),
    index("research_artifact_planId_idx").on(table.planId),
    index("research_artifact_stepId_idx").on(table.stepId),
  ],
);

export const researchOutput = tenantTable(
  "research_output",
  {
    planId: text("plan_id").notNull(),
    version: integer("version").notNull().default(1),
    format: researchOutputFormat("format").notNull().default("markdown"),
    title: text("title").notNull(),
    content: text("content").notNull(),
  },
  (table) => [
    sameTenant(
      "research_output",
      { organizationId: table.organizationId, column: table.planId },
      researchPlan,
      "cascade",
    ),
    // (organization_id, plan_id) leads: it also serves the same-tenant foreign key.
    uniqueIndex("research_output_planId_version_idx").on(
      table.organizationId,
      table.planId,
      table.version,
    ),
  ],
);

export const researchFeedback = tenantTable(
  "research_feedback",
  {
    planId: text("plan_id").notNull(),
    // Feedback on an output goes with it.
    outputId: text("output_id"),
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    rating: smallint("rating").notNull(),
    comment: text("comment"),
  },
  (table) => [
    sameTenant(
      "research_feedback",
      { organizationId: table.organizationId, column: table.planId },
      researchPlan,
      "cascade",
    ),
    sameTenant(
      "research_feedback",
      { organizationId: table.organizationId, column: table.outputId },
      researchOutput,
      "cascade",
    ),
    index("research_feedback_organizationId_idx").on(table.organizationId),
    index("research_feedback_planId_idx").on(table.planId),
    index("research_feedback_outputId_idx").on(table.outputId),
    index("research_feedback_userId_idx").on(table.userId),
    check("research_feedback_rating_check", sql`${table.rating} between 1 and 5`),
  ],
);

export const researchExtraction = tenantTable(
  "research_extraction",
  {
    planId: text("plan_id").notNull(),
    artifactId: text("artifact_id").notNull(),
    field: text("field").notNull(),
    value: jsonb("value").$type<unknown>().notNull(),
    confidence: real("confidence"),
  },
  (table) => [
    sameTenant(
      "research_extraction",
      { organizationId: table.organizationId, column: table.planId },
      researchPlan,
      "cascade",
    ),
    sameTenant(
      "research_extraction",
      { organizationId: table.organizationId, column: table.artifactId },
      researchArtifact,
      "cascade",
    ),
    index("research_extraction_organizationId_idx").on(table.organizationId),
    index("research_extraction_planId_idx").on(table.planId),
    index("research_extraction_artifactId_idx").on(table.artifactId),
    check(
      "research_extraction_confidence_check",
      sql`${table.confidence} is null or ${table.confidence} between 0 and 1`,
    ),
  ],
);

export type ResearchPlan = typeof researchPlan.$inferSelect;
export type NewResearchPlan = typeof researchPlan.$inferInsert;
export type ResearchStep = typeof researchStep.$inferSelect;
export type NewResearchStep = typeof researchStep.$inferInsert;
export type ResearchArtifact = typeof researchArtifact.$inferSelect;
export type NewResearchArtifact = typeof researchArtifact.$inferInsert;
export type ResearchOutput = typeof researchOutput.$inferSelect;
export type NewResearchOutput = typeof researchOutput.$inferInsert;
export type ResearchFeedback = typeof researchFeedback.$inferSelect;
export type NewResearchFeedback = typeof researchFeedback.$inferInsert;
export type ResearchExtraction = typeof researchExtraction.$inferSelect;
export type NewResearchExtraction = typeof researchExtraction.$inferInsert;
