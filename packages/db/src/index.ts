// @repo/db: what app code imports: tenant units, the domain functions that run inside them,
// token authentication, connections and their typed failures. Query operators are in
// @repo/db/sql (tests and scripts); the owner connection is in @repo/db/admin, which apps
// may not import (dependency-cruiser).

export { isScope, missingScopes, SCOPES, type Scope } from "./auth/scopes";
export {
  authenticateToken,
  hashToken,
  type TokenAuthentication,
  type TokenOutcome,
  type TokenUnit,
  withTokenContext,
} from "./auth/tokens";
export type { Database, Schema, Transaction } from "./connection/client";
export { closeDb, getDb } from "./connection/connections";
export { commitWith, type FinalStatement, type UnitValue } from "./connection/drivers/unit";
export { defineEnv, loadEnvFile } from "./connection/env";
export {
  classifyDatabaseError,
  DatabaseTimeoutError,
  type DatabaseTimeoutReason,
  DatabaseUnavailableError,
  type DatabaseUnavailableReason,
  errorCode,
  ReadOnlyUnitError,
} from "./connection/errors";
export * from "./domains";
export { type MigrationHealth, migrationState } from "./migrator/health";
export {
  type TenantContext,
  TenantContextError,
  type TenantContextErrorCode,
  type TenantUnitOptions,
  withTenantContext,
} from "./tenancy/context";
export { createHeavyWorkGate, type HeavyWorkGate, TenantBusyError } from "./tenancy/heavy-work";
export { UnsafeRuntimeRoleError, verifyRuntimeRole } from "./tenancy/roles";
