import { createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import type { z } from "zod";
import { account, invitation, member, organization, session, user, verification } from "../schema";
import { email, insertOptionality, jsonObject, nonBlank, slug } from "./refinements";

// Better Auth's tables, and `organization` (defined in schema/base.ts as the tenant root).

const userRefine = { name: nonBlank, email };
export const insertUserSchema = insertOptionality(user, createInsertSchema(user, userRefine));
export const selectUserSchema = createSelectSchema(user, userRefine);
export const updateUserSchema = createUpdateSchema(user, userRefine);
export type InsertUser = z.infer<typeof insertUserSchema>;
export type UpdateUser = z.infer<typeof updateUserSchema>;

export const insertSessionSchema = createInsertSchema(session);
export const selectSessionSchema = createSelectSchema(session);
export const updateSessionSchema = createUpdateSchema(session);
export type InsertSession = z.infer<typeof insertSessionSchema>;
export type UpdateSession = z.infer<typeof updateSessionSchema>;

export const insertAccountSchema = createInsertSchema(account);
export const selectAccountSchema = createSelectSchema(account);
export const updateAccountSchema = createUpdateSchema(account);
export type InsertAccount = z.infer<typeof insertAccountSchema>;
export type UpdateAccount = z.infer<typeof updateAccountSchema>;

export const insertVerificationSchema = createInsertSchema(verification);
export const selectVerificationSchema = createSelectSchema(verification);
export const updateVerificationSchema = createUpdateSchema(verification);
export type InsertVerification = z.infer<typeof insertVerificationSchema>;
export type UpdateVerification = z.infer<typeof updateVerificationSchema>;

const organizationRefine = { name: nonBlank, slug, metadata: jsonObject };
export const insertOrganizationSchema = insertOptionality(
  organization,
  createInsertSchema(organization, organizationRefine),
);
export const selectOrganizationSchema = createSelectSchema(organization, organizationRefine);
export const updateOrganizationSchema = createUpdateSchema(organization, organizationRefine);
export type InsertOrganization = z.infer<typeof insertOrganizationSchema>;
export type UpdateOrganization = z.infer<typeof updateOrganizationSchema>;

export const insertMemberSchema = createInsertSchema(member);
export const selectMemberSchema = createSelectSchema(member);
export const updateMemberSchema = createUpdateSchema(member);
export type InsertMember = z.infer<typeof insertMemberSchema>;
export type UpdateMember = z.infer<typeof updateMemberSchema>;

const invitationRefine = { email };
export const insertInvitationSchema = insertOptionality(
  invitation,
  createInsertSchema(invitation, invitationRefine),
);
export const selectInvitationSchema = createSelectSchema(invitation, invitationRefine);
export const updateInvitationSchema = createUpdateSchema(invitation, invitationRefine);
export type InsertInvitation = z.infer<typeof insertInvitationSchema>;
export type UpdateInvitation = z.infer<typeof updateInvitationSchema>;
