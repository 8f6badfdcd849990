// @repo/db/admin: owner-level operations (migrations, seeds, system jobs, explicit
// connections). The owner bypasses RLS: app request handlers use `@repo/db` instead, and
// dependency-cruiser forbids apps/* from importing this module.

export {
  type IssuedToken,
  issueToken,
  listTokens,
  parseLifetime,
  parseScopes,
  revokeToken,
  TokenRequestError,
} from "./auth/manage";
export { createDatabase, type DatabaseHandle, type DatabaseTarget } from "./connection/client";
export { closeOwnerDb, describeTarget, getOwnerDb, ownerTarget } from "./connection/connections";
export * from "./migrator";
export { type SeedOptions, type SeedResult, type SeedTier, seed } from "./seeds";
