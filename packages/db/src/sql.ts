// @repo/db/sql: drizzle's query builders and operators plus the table objects, for code
// that writes its own queries (tests, benchmarks, scripts). Apps do not depend on
// drizzle-orm directly; their routes call the domain functions in "@repo/db" instead and may
// not import this (dependency-cruiser).

export { alias } from "drizzle-orm/pg-core";
export * from "drizzle-orm/sql";
export { rows } from "./connection/rows";
export * as schema from "./schema";
