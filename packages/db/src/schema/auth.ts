import { boolean, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { baseColumns, organization, primaryId, tenantTable } from "./base";
import { invitationStatus, memberRole } from "./enums";

// Better Auth's core and organization-plugin tables. `organization` itself is defined in
// base.ts (the tenant root, beside tenantColumns). Relations of every table: relations.ts.

/** Global: a person can belong to several organizations. */
export const user = pgTable("user", {
  id: primaryId(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  ...baseColumns,
});

/** Global: a login session of a user, across organizations. */
export const session = pgTable(
  "session",
  {
    id: primaryId(),
    token: text("token").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    activeOrganizationId: text("active_organization_id").references(() => organization.id, {
      onDelete: "set null",
    }),
    ...baseColumns,
  },
  (table) => [
    index("session_userId_idx").on(table.userId),
    index("session_activeOrganizationId_idx").on(table.activeOrganizationId),
  ],
);

/** Global: a credential or OAuth link of a user. */
export const account = pgTable(
  "account",
  {
    id: primaryId(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    ...baseColumns,
  },
  (table) => [
    index("account_userId_idx").on(table.userId),
    uniqueIndex("account_providerId_accountId_idx").on(table.providerId, table.accountId),
  ],
);

/** Global: email verification and password-reset values, before any organization is known. */
export const verification = pgTable(
  "verification",
  {
    id: primaryId(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...baseColumns,
  },
  (table) => [index("verification_identifier_idx").on(table.identifier)],
);

/** Tenant: a user's membership (and role) in an organization. */
export const member = tenantTable(
  "member",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull().default("member"),
  },
  (table) => [
    index("member_organizationId_idx").on(table.organizationId),
    index("member_userId_idx").on(table.userId),
    uniqueIndex("member_organizationId_userId_idx").on(table.organizationId, table.userId),
  ],
);

/** Tenant: an invitation to join an organization. */
export const invitation = tenantTable(
  "invitation",
  {
    email: text("email").notNull(),
    role: memberRole("role").notNull().default("member"),
    status: invitationStatus("status").notNull().default("pending"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    // The inviter may leave; the invitation stays on record.
    inviterId: text("inviter_id").references(() => user.id, { onDelete: "set null" }),
  },
  (table) => [
    index("invitation_organizationId_idx").on(table.organizationId),
    index("invitation_inviterId_idx").on(table.inviterId),
    index("invitation_email_idx").on(table.email),
  ],
);

export type User = typeof user.$inferSelect;
export type NewUser = typeof user.$inferInsert;
export type Organization = typeof organization.$inferSelect;
export type NewOrganization = typeof organization.$inferInsert;
export type Session = typeof session.$inferSelect;
export type NewSession = typeof session.$inferInsert;
export type Account = typeof account.$inferSelect;
export type NewAccount = typeof account.$inferInsert;
export type Verification = typeof verification.$inferSelect;
export type NewVerification = typeof verification.$inferInsert;
export type Member = typeof member.$inferSelect;
export type NewMember = typeof member.$inferInsert;
export type Invitation = typeof invitation.$inferSelect;
export type NewInvitation = typeof invitation.$inferInsert;
