import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import type { z } from "zod";
import {
  researchArtifact,
  researchExtraction,
  researchFeedback,
  researchOutput,
  researchPlan,
  researchStep,
} from "../schema";
import { boundedJson, insertOptionality, jsonObject, nonBlank } from "./refinements";

const researchPlanRefine = { title: nonBlank, objective: nonBlank, metadata: jsonObject };
export const insertResearchPlanSchema = insertOptionality(
  researchPlan,
  createInsertSchema(researchPlan, researchPlanRefine),
);
export const selectResearchPlanSchema = createSelectSchema(researchPlan, researchPlanRefine);
export const updateResearchPlanSchema = createUpdateSchema(researchPlan, researchPlanRefine);
export type InsertResearchPlan = z.infer<typeof insertResearchPlanSchema>;
export type UpdateResearchPlan = z.infer<typeof updateResearchPlanSchema>;

/**
 * Largest step position: room for any plan, and far enough below integer's maximum that an
 * app appending at max + 1 can refuse instead of overflowing.
 */
export const MAX_STEP_POSITION = 1_000_000;

const researchStepRefine = {
  title: nonBlank,
  result: jsonObject,
  position: (schema: z.ZodInt) => schema.min(0).max(MAX_STEP_POSITION),
};
export const insertResearchStepSchema = insertOptionality(
  researchStep,
  createInsertSchema(researchStep, researchStepRefine),
);
export const selectResearchStepSchema = createSelectSchema(researchStep, researchStepRefine);
export const updateResearchStepSchema = createUpdateSchema(researchStep, researchStepRefine);
export type InsertResearchStep = z.infer<typeof insertResearchStepSchema>;
export type UpdateResearchStep = z.infer<typeof updateResearchStepSchema>;

const researchArtifactRefine = { title: nonBlank, metadata: jsonObject };
export const insertResearchArtifactSchema = insertOptionality(
  researchArtifact,
  createInsertSchema(researchArtifact, researchArtifactRefine),
);
export const selectResearchArtifactSchema = createSelectSchema(
  researchArtifact,
  researchArtifactRefine,
);
export const updateResearchArtifactSchema = createUpdateSchema(
  researchArtifact,
  researchArtifactRefine,
);
export type InsertResearchArtifact = z.infer<typeof insertResearchArtifactSchema>;
export type UpdateResearchArtifact = z.infer<typeof updateResearchArtifactSchema>;

const researchOutputRefine = { title: nonBlank };
export const insertResearchOutputSchema = insertOptionality(
  researchOutput,
  createInsertSchema(researchOutput, researchOutputRefine),
);
export const selectResearchOutputSchema = createSelectSchema(researchOutput, researchOutputRefine);
export const updateResearchOutputSchema = createUpdateSchema(researchOutput, researchOutputRefine);
export type InsertResearchOutput = z.infer<typeof insertResearchOutputSchema>;
export type UpdateResearchOutput = z.infer<typeof updateResearchOutputSchema>;

/** Matches the check constraint research_feedback_rating_check. */
const researchFeedbackRefine = { rating: (schema: z.ZodInt) => schema.min(1).max(5) };
export const insertResearchFeedbackSchema = insertOptionality(
  researchFeedback,
  createInsertSchema(researchFeedback, researchFeedbackRefine),
);
export const selectResearchFeedbackSchema = createSelectSchema(
  researchFeedback,
  researchFeedbackRefine,
);
export const updateResearchFeedbackSchema = createUpdateSchema(
  researchFeedback,
  researchFeedbackRefine,
);
export type InsertResearchFeedback = z.infer<typeof insertResearchFeedbackSchema>;
export type UpdateResearchFeedback = z.infer<typeof updateResearchFeedbackSchema>;

/** Matches the check constraint research_extraction_confidence_check (null stays allowed). */
const researchExtractionRefine = {
  confidence: (schema: z.ZodNumber) => schema.min(0).max(1),
  value: boundedJson,
};
export const insertResearchExtractionSchema = insertOptionality(
  researchExtraction,
  createInsertSchema(researchExtraction, researchExtractionRefine),
);
export const selectResearchExtractionSchema = createSelectSchema(
  researchExtraction,
  researchExtractionRefine,
);
export const updateResearchExtractionSchema = createUpdateSchema(
  researchExtraction,
  researchExtractionRefine,
);
export type InsertResearchExtraction = z.infer<typeof insertResearchExtractionSchema>;
export type UpdateResearchExtraction = z.infer<typeof updateResearchExtractionSchema>;
