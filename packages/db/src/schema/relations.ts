// Relations between tenant tables join on (organization_id, id): the composite keys they
// reference, and the join Citus can run on colocated shards.
import { relations } from "drizzle-orm";
import { aiBatchJob, aiModel, aiModelPricing, aiUsage } from "./ai";
import { account, invitation, member, session, user } from "./auth";
import { organization } from "./base";
import { personalAccessToken } from "./mcp";
import {
  researchArtifact,
  researchExtraction,
  researchFeedback,
  researchOutput,
  researchPlan,
  researchStep,
} from "./research";
import { document, documentChunk } from "./search";

// Both sides of every relationship, in one file: table files then import only what their
// foreign keys point at, so the schema's imports stay acyclic.

export const organizationRelations = relations(organization, ({ many }) => ({
  members: many(member),
  invitations: many(invitation),
  activeSessions: many(session),
  aiBatchJobs: many(aiBatchJob),
  aiUsage: many(aiUsage),
  researchPlans: many(researchPlan),
  researchSteps: many(researchStep),
  researchArtifacts: many(researchArtifact),
  researchOutputs: many(researchOutput),
  researchFeedback: many(researchFeedback),
  researchExtractions: many(researchExtraction),
  documents: many(document),
  documentChunks: many(documentChunk),
}));

export const userRelations = relations(user, ({ many }) => ({
  sessions: many(session),
  accounts: many(account),
  memberships: many(member),
  invitationsSent: many(invitation),
  personalAccessTokens: many(personalAccessToken),
  aiBatchJobs: many(aiBatchJob),
  aiUsage: many(aiUsage),
  researchPlans: many(researchPlan),
  researchFeedback: many(researchFeedback),
  documents: many(document),
}));

export const sessionRelations = relations(session, ({ one }) => ({
  user: one(user, { fields: [session.userId], references: [user.id] }),
  activeOrganization: one(organization, {
    fields: [session.activeOrganizationId],
    references: [organization.id],
  }),
}));

export const accountRelations = relations(account, ({ one }) => ({
  user: one(user, { fields: [account.userId], references: [user.id] }),
}));

export const memberRelations = relations(member, ({ one }) => ({
  organization: one(organization, {
    fields: [member.organizationId],
    references: [organization.id],
  }),
  user: one(user, { fields: [member.userId], references: [user.id] }),
}));

export const invitationRelations = relations(invitation, ({ one }) => ({
  organization: one(organization, {
    fields: [invitation.organizationId],
    references: [organization.id],
  }),
  inviter: one(user, { fields: [invitation.inviterId], references: [user.id] }),
}));

export const personalAccessTokenRelations = relations(personalAccessToken, ({ one }) => ({
  user: one(user, { fields: [personalAccessToken.userId], references: [user.id] }),
}));

export const aiModelRelations = relations(aiModel, ({ many }) => ({
  pricing: many(aiModelPricing),
  batchJobs: many(aiBatchJob),
  usage: many(aiUsage),
}));

export const aiModelPricingRelations = relations(aiModelPricing, ({ one }) => ({
  model: one(aiModel, { fields: [aiModelPricing.modelId], references: [aiModel.id] }),
}));

export const aiBatchJobRelations = relations(aiBatchJob, ({ one, many }) => ({
  organization: one(organization, {
    fields: [aiBatchJob.organizationId],
    references: [organization.id],
  }),
  model: one(aiModel, { fields: [aiBatchJob.modelId], references: [aiModel.id] }),
  createdBy: one(user, { fields: [aiBatchJob.createdById], references: [user.id] }),
  usage: many(aiUsage),
}));

export const aiUsageRelations = relations(aiUsage, ({ one }) => ({
  organization: one(organization, {
    fields: [aiUsage.organizationId],
    references: [organization.id],
  }),
  model: one(aiModel, { fields: [aiUsage.modelId], references: [aiModel.id] }),
  user: one(user, { fields: [aiUsage.userId], references: [user.id] }),
  batchJob: one(aiBatchJob, {
    fields: [aiUsage.organizationId, aiUsage.batchJobId],
    references: [aiBatchJob.organizationId, aiBatchJob.id],
  }),
}));

export const researchPlanRelations = relations(researchPlan, ({ one, many }) => ({
  organization: one(organization, {
    fields: [researchPlan.organizationId],
    references: [organization.id],
  }),
  createdBy: one(user, { fields: [researchPlan.createdById], references: [user.id] }),
  steps: many(researchStep),
  artifacts: many(researchArtifact),
  outputs: many(researchOutput),
  feedback: many(researchFeedback),
  extractions: many(researchExtraction),
}));

export const researchStepRelations = relations(researchStep, ({ one, many }) => ({
  organization: one(organization, {
    fields: [researchStep.organizationId],
    references: [organization.id],
  }),
  plan: one(researchPlan, {
    fields: [researchStep.organizationId, researchStep.planId],
    references: [researchPlan.organizationId, researchPlan.id],
  }),
  artifacts: many(researchArtifact),
}));

export const researchArtifactRelations = relations(researchArtifact, ({ one, many }) => ({
  organization: one(organization, {
    fields: [researchArtifact.organizationId],
    references: [organization.id],
  }),
  plan: one(researchPlan, {
    fields: [researchArtifact.organizationId, researchArtifact.planId],
    references: [researchPlan.organizationId, researchPlan.id],
  }),
  step: one(researchStep, {
    fields: [researchArtifact.organizationId, researchArtifact.stepId],
    references: [researchStep.organizationId, researchStep.id],
  }),
  extractions: many(researchExtraction),
}));

export const researchOutputRelations = relations(researchOutput, ({ one, many }) => ({
  organization: one(organization, {
    fields: [researchOutput.organizationId],
    references: [organization.id],
  }),
  plan: one(researchPlan, {
    fields: [researchOutput.organizationId, researchOutput.planId],
    references: [researchPlan.organizationId, researchPlan.id],
  }),
  feedback: many(researchFeedback),
}));

export const researchFeedbackRelations = relations(researchFeedback, ({ one }) => ({
  organization: one(organization, {
    fields: [researchFeedback.organizationId],
    references: [organization.id],
  }),
  plan: one(researchPlan, {
    fields: [researchFeedback.organizationId, researchFeedback.planId],
    references: [researchPlan.organizationId, researchPlan.id],
  }),
  output: one(researchOutput, {
    fields: [researchFeedback.organizationId, researchFeedback.outputId],
    references: [researchOutput.organizationId, researchOutput.id],
  }),
  user: one(user, { fields: [researchFeedback.userId], references: [user.id] }),
}));

export const researchExtractionRelations = relations(researchExtraction, ({ one }) => ({
  organization: one(organization, {
    fields: [researchExtraction.organizationId],
    references: [organization.id],
  }),
  plan: one(researchPlan, {
    fields: [researchExtraction.organizationId, researchExtraction.planId],
    references: [researchPlan.organizationId, researchPlan.id],
  }),
  artifact: one(researchArtifact, {
    fields: [researchExtraction.organizationId, researchExtraction.artifactId],
    references: [researchArtifact.organizationId, researchArtifact.id],
  }),
}));

export const documentRelations = relations(document, ({ one, many }) => ({
  organization: one(organization, {
    fields: [document.organizationId],
    references: [organization.id],
  }),
  createdBy: one(user, { fields: [document.createdById], references: [user.id] }),
  chunks: many(documentChunk),
}));

export const documentChunkRelations = relations(documentChunk, ({ one }) => ({
  organization: one(organization, {
    fields: [documentChunk.organizationId],
    references: [organization.id],
  }),
  document: one(document, {
    fields: [documentChunk.organizationId, documentChunk.documentId],
    references: [document.organizationId, document.id],
  }),
}));
