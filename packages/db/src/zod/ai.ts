import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import type { z } from "zod";
import { aiBatchJob, aiModel, aiModelPricing, aiUsage } from "../schema";
import { count, decimalString, insertOptionality, nonBlank } from "./refinements";

const aiModelRefine = { name: nonBlank, displayName: nonBlank };
export const insertAiModelSchema = insertOptionality(
  aiModel,
  createInsertSchema(aiModel, aiModelRefine),
);
export const selectAiModelSchema = createSelectSchema(aiModel, aiModelRefine);
export const updateAiModelSchema = createUpdateSchema(aiModel, aiModelRefine);
export type InsertAiModel = z.infer<typeof insertAiModelSchema>;
export type UpdateAiModel = z.infer<typeof updateAiModelSchema>;

const aiModelPricingRefine = {
  inputUsdPerMillion: decimalString,
  outputUsdPerMillion: decimalString,
};
export const insertAiModelPricingSchema = insertOptionality(
  aiModelPricing,
  createInsertSchema(aiModelPricing, aiModelPricingRefine),
);
export const selectAiModelPricingSchema = createSelectSchema(aiModelPricing, aiModelPricingRefine);
export const updateAiModelPricingSchema = createUpdateSchema(aiModelPricing, aiModelPricingRefine);
export type InsertAiModelPricing = z.infer<typeof insertAiModelPricingSchema>;
export type UpdateAiModelPricing = z.infer<typeof updateAiModelPricingSchema>;

const aiBatchJobRefine = { requestCount: count, completedCount: count, failedCount: count };
export const insertAiBatchJobSchema = insertOptionality(
  aiBatchJob,
  createInsertSchema(aiBatchJob, aiBatchJobRefine),
);
export const selectAiBatchJobSchema = createSelectSchema(aiBatchJob, aiBatchJobRefine);
export const updateAiBatchJobSchema = createUpdateSchema(aiBatchJob, aiBatchJobRefine);
export type InsertAiBatchJob = z.infer<typeof insertAiBatchJobSchema>;
export type UpdateAiBatchJob = z.infer<typeof updateAiBatchJobSchema>;

const aiUsageRefine = { inputTokens: count, outputTokens: count, costUsd: decimalString };
export const insertAiUsageSchema = insertOptionality(
  aiUsage,
  createInsertSchema(aiUsage, aiUsageRefine),
);
export const selectAiUsageSchema = createSelectSchema(aiUsage, aiUsageRefine);
export const updateAiUsageSchema = createUpdateSchema(aiUsage, aiUsageRefine);
export type InsertAiUsage = z.infer<typeof insertAiUsageSchema>;
export type UpdateAiUsage = z.infer<typeof updateAiUsageSchema>;
