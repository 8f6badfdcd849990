// @repo/db/admin: owner-level operations (migrations, seeds, system jobs, explicit
// connections). The owner bypasses RLS: app request handlers use `@repo/db` instead, and
// dependency-cruiser forbids apps/* from importing this module.
export {
  createDatabase,
  type DatabaseHandle,
  type DatabaseTarget,
  openPglite,
} from "./client";
export { appTarget, closeOwnerDb, describeTarget, getOwnerDb, ownerTarget } from "./connections";
export * from "./migrator";
export { RUNTIME_ROLE, TENANT_ROLE } from "./roles";
export { type SeedOptions, type SeedResult, type SeedTier, seed } from "./seeds";
