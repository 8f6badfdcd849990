import { readFileSync } from "node:fs";
import path from "node:path";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { packageRoot } from "../../connection/paths";
import * as schema from "../../schema";
import { ISOLATION_PROBES, ISOLATION_SEED } from "../../testing/isolation-seed";
import type { GuardOptions } from "./findings";
import { readNonTenantTables, readRlsBypasses } from "./non-tenant-doc";

export { guardCatalog } from "./catalog";
export type { GuardFinding, GuardOptions, GuardRule } from "./findings";
export { guardTables, isTenantTable } from "./metadata";
export { readNonTenantTables } from "./non-tenant-doc";

/** The lists of global tables and of RLS bypasses, with their reasons: packages/db/CLAUDE.md. */
const packageDoc = path.join(packageRoot, "CLAUDE.md");

/** What the real schema is checked against: the isolation seed and packages/db/CLAUDE.md. */
export function defaultGuardOptions(): GuardOptions {
  const doc = readFileSync(packageDoc, "utf8");
  return {
    seededTables: new Set(ISOLATION_SEED.map((entry) => getTableName(entry.table))),
    nonTenantTables: readNonTenantTables(doc),
    rlsBypasses: readRlsBypasses(doc),
    probedFunctions: new Set(ISOLATION_PROBES.map((probe) => probe.name)),
  };
}

/** Every table exported from src/schema (what drizzle-kit and the client see). */
export function schemaTables(): PgTable[] {
  return (Object.values(schema) as unknown[]).filter((value): value is PgTable =>
    is(value, PgTable),
  );
}
