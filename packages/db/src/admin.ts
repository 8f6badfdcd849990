// @repo/db/admin: owner-level operations (migrations, explicit connections). For scripts,
// seeds and system jobs; app request handlers use `@repo/db`.
export {
  createDatabase,
  type DatabaseHandle,
  type DatabaseTarget,
  describeTarget,
  openPglite,
  targetFromEnv,
} from "./client";
export * from "./migrator";
