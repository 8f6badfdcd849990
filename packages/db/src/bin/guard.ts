// `pnpm db:guard` (part of ci:check): the schema guard. Checks every table exported from
// src/schema through drizzle's metadata, then the catalog of a freshly migrated in-memory
// PGlite, against the isolation seed and the "Non-Tenant Tables" list of CLAUDE.md.
import { createDatabase, openPglite } from "../connection/client";
import { migrate } from "../migrator";
import { citusReport, isBlocker } from "../tooling/citus";
import {
  defaultGuardOptions,
  guardCatalog,
  guardTables,
  isTenantTable,
  schemaTables,
} from "../tooling/guard";
import { parseCli } from "./cli";

parseCli(
  "usage: pnpm db:guard\n  Checks every table's tenancy (columns, RLS, policies, grants) in the schema and a migrated catalog,\n  and that Citus could distribute every tenant table (db:citus-report's blockers).",
  {},
);

const tables = schemaTables();
const options = defaultGuardOptions();
const fromSchema = guardTables(tables, options);

const pglite = openPglite();
let fromCatalog: Awaited<ReturnType<typeof guardCatalog>>;
// A tenant table Citus could not distribute (db:citus-report's blockers about tables) is a
// guard finding; blockers in code (set_config, SET LOCAL in functions) stay the report's.
const TABLE_BLOCKERS = new Set([
  "key-without-tenant",
  "foreign-key-without-tenant",
  "foreign-key-set-null",
  "initplan-policy",
  "sequence",
]);
let fromCitus: Awaited<ReturnType<typeof citusReport>>;
try {
  const { db } = createDatabase({ pglite });
  await migrate({ db });
  fromCatalog = await guardCatalog(db, options);
  fromCitus = (await citusReport(db)).filter((f) => isBlocker(f) && TABLE_BLOCKERS.has(f.check));
} finally {
  await pglite.close();
}

const findings = [
  ...fromSchema.map((finding) => `schema:  ${finding.message}`),
  ...fromCatalog.map((finding) => `catalog: ${finding.message}`),
  ...fromCitus.map((finding) => `citus:   ${finding.message} (docs/scaling.md)`),
];
if (findings.length > 0) {
  process.exitCode = 1;
  console.error(findings.join("\n"));
  console.error(
    `\ndb:guard: ${findings.length} finding(s). Fix each one (packages/db/CLAUDE.md, "Adding a table"), then run \`pnpm db:guard\` again.`,
  );
} else {
  const tenant = tables.filter(isTenantTable).length;
  console.log(
    `db:guard: OK: ${tenant} tenant and ${tables.length - tenant} global tables pass (schema metadata and migrated catalog).`,
  );
}
