import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { baseColumns, primaryId } from "./base";

/**
 * Global (user-scoped): a personal access token for the API and MCP clients. It belongs to a
 * user, not an organization: the organization is chosen per request and membership is
 * checked there. Only the sha256 of the token is stored; the prefix identifies it in lists.
 */
export const personalAccessToken = pgTable(
  "personal_access_token",
  {
    id: primaryId(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** sha256 hex of the token; the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    /** The first characters of the token, e.g. "rpat_3f9a", to recognise it in a list. */
    displayPrefix: text("display_prefix").notNull(),
    scopes: text("scopes").array().notNull().default([]),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    ...baseColumns,
  },
  (table) => [index("personal_access_token_userId_idx").on(table.userId)],
);

export type PersonalAccessToken = typeof personalAccessToken.$inferSelect;
export type NewPersonalAccessToken = typeof personalAccessToken.$inferInsert;
