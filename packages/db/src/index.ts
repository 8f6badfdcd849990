// @repo/db: what app code imports. Apps depend on this package, never on drizzle-orm
// directly, so the query operators they need are re-exported here. The owner connection is
// not here: it is in @repo/db/admin, which apps may not import (dependency-cruiser).

export { alias } from "drizzle-orm/pg-core";
export * from "drizzle-orm/sql";
export {
  authenticateToken,
  type ExpectedMigrations,
  expectedMigrations,
  hashToken,
  type MigrationHealth,
  migrationState,
  type TokenAuthentication,
  type TokenOutcome,
  type TokenUnit,
  withTokenContext,
} from "./app-functions";
export type { Database, Schema, Transaction } from "./client";
export { closeDb, getDb } from "./connections";
export { commitWith, type FinalStatement, type UnitValue } from "./drivers/unit";
export { EnvError } from "./env";
export {
  classifyDatabaseError,
  DatabaseTimeoutError,
  type DatabaseTimeoutReason,
  DatabaseUnavailableError,
  type DatabaseUnavailableReason,
  errorCode,
} from "./errors";
export { UnsafeRuntimeRoleError, verifyRuntimeRole } from "./roles";
export { rows } from "./rows";
export * as schema from "./schema";
export {
  CHUNK_CHARS,
  chunkText,
  createIngestGate,
  createPreparerPool,
  type DocumentPreparer,
  type Embedder,
  HashingEmbedder,
  inlinePreparer,
  PreparationBusyError,
  type PreparedChunk,
  SearchInputError,
  type SearchInputErrorCode,
  searchChunks,
} from "./search";
export {
  type TenantContext,
  TenantContextError,
  type TenantContextErrorCode,
  type TenantUnitOptions,
  withTenantContext,
} from "./tenant";
export { RUNTIME_TIMEOUTS } from "./tenant-setup";
