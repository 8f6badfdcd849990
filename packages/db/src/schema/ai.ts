import {
  boolean,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { user } from "./auth";
import { baseColumns, primaryId, sameTenant, tenantTable } from "./base";
import { aiBatchJobStatus, aiProvider } from "./enums";

/** Global reference data: the models the product can call. */
export const aiModel = pgTable(
  "ai_model",
  {
    id: primaryId(),
    provider: aiProvider("provider").notNull(),
    /** The provider's model name, e.g. "gpt-4o". */
    name: text("name").notNull(),
    displayName: text("display_name").notNull(),
    contextWindow: integer("context_window").notNull(),
    embeddingDimensions: integer("embedding_dimensions"),
    isActive: boolean("is_active").notNull().default(true),
    ...baseColumns,
  },
  (table) => [uniqueIndex("ai_model_provider_name_idx").on(table.provider, table.name)],
);

/** Global reference data: a model's price, per million tokens, from a date on. */
export const aiModelPricing = pgTable(
  "ai_model_pricing",
  {
    id: primaryId(),
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id, { onDelete: "cascade" }),
    inputUsdPerMillion: numeric("input_usd_per_million", { precision: 12, scale: 6 }).notNull(),
    outputUsdPerMillion: numeric("output_usd_per_million", { precision: 12, scale: 6 }).notNull(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true }).notNull(),
    effectiveTo: timestamp("effective_to", { withTimezone: true }),
    ...baseColumns,
  },
  (table) => [
    // Leading column model_id also serves the foreign key.
    uniqueIndex("ai_model_pricing_modelId_effectiveFrom_idx").on(
      table.modelId,
      table.effectiveFrom,
    ),
  ],
);

/** Tenant: a batch of model calls submitted together. */
export const aiBatchJob = tenantTable(
  "ai_batch_job",
  {
    // A model in use cannot be deleted; deactivate it instead.
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id, { onDelete: "restrict" }),
    // The job outlives the user who started it.
    createdById: text("created_by_id").references(() => user.id, { onDelete: "set null" }),
    status: aiBatchJobStatus("status").notNull().default("queued"),
    providerBatchId: text("provider_batch_id"),
    requestCount: integer("request_count").notNull().default(0),
    completedCount: integer("completed_count").notNull().default(0),
    failedCount: integer("failed_count").notNull().default(0),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (table) => [
    index("ai_batch_job_modelId_idx").on(table.modelId),
    index("ai_batch_job_createdById_idx").on(table.createdById),
    index("ai_batch_job_status_idx").on(table.status),
  ],
);

/** Tenant: tokens and cost of one model call, for usage summaries and billing. */
export const aiUsage = tenantTable(
  "ai_usage",
  {
    modelId: text("model_id")
      .notNull()
      .references(() => aiModel.id, { onDelete: "restrict" }),
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    batchJobId: text("batch_job_id"),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    costUsd: numeric("cost_usd", { precision: 14, scale: 6 }).notNull(),
    requestId: text("request_id"),
  },
  (table) => [
    sameTenant(
      "ai_usage",
      { organizationId: table.organizationId, column: table.batchJobId },
      aiBatchJob,
      "set null",
    ),
    // (organization_id, created_at) serves both RLS filtering and "usage in a period".
    index("ai_usage_organizationId_createdAt_idx").on(table.organizationId, table.createdAt),
    index("ai_usage_modelId_idx").on(table.modelId),
    index("ai_usage_userId_idx").on(table.userId),
    index("ai_usage_batchJobId_idx").on(table.batchJobId),
  ],
);

export type AiModel = typeof aiModel.$inferSelect;
export type NewAiModel = typeof aiModel.$inferInsert;
export type AiModelPricing = typeof aiModelPricing.$inferSelect;
export type NewAiModelPricing = typeof aiModelPricing.$inferInsert;
export type AiBatchJob = typeof aiBatchJob.$inferSelect;
export type NewAiBatchJob = typeof aiBatchJob.$inferInsert;
export type AiUsage = typeof aiUsage.$inferSelect;
export type NewAiUsage = typeof aiUsage.$inferInsert;
