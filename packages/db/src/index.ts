// @repo/db: what app code imports. Apps depend on this package, never on drizzle-orm
// directly, so the query operators they need are re-exported here.

export { alias } from "drizzle-orm/pg-core";
export * from "drizzle-orm/sql";
export { closeDb, type Database, getDb, type Schema, type Transaction } from "./client";
export { EnvError } from "./env";
export * as schema from "./schema";
