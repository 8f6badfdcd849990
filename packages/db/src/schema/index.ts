// Every table, enum and relation. drizzle-kit reads this file (drizzle.config.ts), and so
// does the drizzle client: a table not exported here has no migration and no query API.
export * from "./ai";
export * from "./auth";
export {
  authenticatedRole,
  baseColumns,
  organization,
  primaryId,
  sameTenant,
  TENANT_SETTING,
  tenantColumns,
  tenantPolicies,
  tenantTable,
} from "./base";
export * from "./enums";
export * from "./mcp";
export * from "./relations";
export * from "./research";
export * from "./search";
