import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../connection/rows";
import { TENANT_ROLE } from "../tenancy/roles";
import { createTestDatabase, type TestDatabase } from "../testing";
import { CITUS_CHECKS, type CitusFinding, citusReport } from "../tooling/citus";
import { setConfigFindings } from "../tooling/citus/report";
import { isTenantTable, schemaTables } from "../tooling/guard";
import { TENANT_COLUMN } from "../tooling/guard/findings";

// The Citus readiness report reads the catalog of a migrated database: its findings are
// derived here from the drizzle schema, and a table added to the live catalog shows up.
let testDb: TestDatabase;
let findings: CitusFinding[];

const tables = schemaTables();
const tenant = new Set(tables.filter(isTenantTable).map((t) => getTableConfig(t).name));
const configs = tables.map((table: PgTable) => getTableConfig(table));
const of = (check: keyof typeof CITUS_CHECKS) => findings.filter((f) => f.check === check);
const keyOf = (table: string, columns: readonly string[]) => `${table}(${columns.join(", ")})`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  findings = await citusReport(testDb.db);
});
afterAll(() => testDb?.dispose());

describe("the Citus readiness report", () => {
  it("reports every key of a tenant table without organization_id, and no other", () => {
    const expected = configs
      .filter((config) => tenant.has(config.name))
      .flatMap((config) =>
        [
          config.columns.filter((c) => c.primary).map((c) => c.name),
          ...config.primaryKeys.map((k) => k.columns.map((c) => c.name)),
          ...config.uniqueConstraints.map((k) => k.columns.map((c) => c.name)),
          ...config.columns.filter((c) => c.isUnique).map((c) => [c.name]),
          ...config.indexes
            .filter((index) => index.config.unique)
            .map((index) => index.config.columns.map((c) => (c as { name: string }).name)),
        ]
          .filter((columns) => columns.length > 0 && !columns.includes(TENANT_COLUMN))
          .map((columns) => keyOf(config.name, columns)),
      );
    const reported = of("key-without-tenant").map((f) => keyOf(f.table!, f.columns!));
    expect(reported.sort()).toEqual(expected.sort());
  });

  it("reports every foreign key between tenant tables without organization_id, and no other", () => {
    const expected = configs
      .filter((config) => tenant.has(config.name))
      .flatMap((config) =>
        config.foreignKeys
          .map((fk) => fk.reference())
          .filter((ref) => tenant.has(getTableConfig(ref.foreignTable).name))
          .map((ref) => ref.columns.map((c) => c.name))
          .filter((columns) => !columns.includes(TENANT_COLUMN))
          .map((columns) => keyOf(config.name, columns)),
      );
    const reported = of("foreign-key-without-tenant").map((f) => keyOf(f.table!, f.columns!));
    expect(reported.sort()).toEqual(expected.sort());
  });

  it("names as reference tables the global tables that tenant tables reference", () => {
    const referenced = new Set(
      configs
        .filter((config) => tenant.has(config.name))
        .flatMap((config) =>
          config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name),
        )
        .filter((name) => !tenant.has(name)),
    );
    expect(new Set(of("reference-table").map((f) => f.table))).toEqual(referenced);
  });

  it("finds no policy in the subquery form Citus refuses (tenantPolicies in schema/base.ts)", () => {
    expect(of("initplan-policy")).toEqual([]);
  });

  it("can see a policy in the subquery form added to the live catalog", async () => {
    await testDb.db.execute(sql`
      create table citus_probe_policy (id text, ${sql.identifier(TENANT_COLUMN)} text)`);
    await testDb.db.execute(sql`
      create policy citus_probe_policy_select on citus_probe_policy for select
      using (${sql.identifier(TENANT_COLUMN)} = (select current_setting('app.current_organization_id', true)))`);
    const reported = (await citusReport(testDb.db)).filter((f) => f.check === "initplan-policy");
    expect(reported.map((f) => f.table)).toEqual(["citus_probe_policy"]);
  });

  it("reports the NOLOGIN role that tenant units take with SET ROLE", async () => {
    const [role] = await rows<{ login: boolean }>(
      testDb.db,
      sql`select rolcanlogin as login from pg_roles where rolname = ${TENANT_ROLE}`,
    );
    expect(role?.login).toBe(false);
    expect(of("nologin-role").map((f) => f.subject)).toContain(TENANT_ROLE);
  });

  it("finds no set_config in the package's source but the role's (SET LOCAL is what Citus propagates)", () => {
    expect(of("set-config")).toEqual([]);
  });

  it("can tell an SQL function that runs SET LOCAL from a PL/pgSQL one", async () => {
    await testDb.db.execute(sql`
      create function citus_probe_sql_sets() returns void language sql
      as $$ set local app.probe = 'x'; select 1; $$`);
    await testDb.db.execute(sql`
      create function citus_probe_plpgsql_sets() returns void language plpgsql
      as $$ begin execute format('set local app.probe = %L', 'x'); end $$`);
    const setting = (await citusReport(testDb.db))
      .filter((f) => f.check === "function-sets-local")
      .map((f) => f.subject);
    expect(setting).toEqual(["citus_probe_sql_sets"]);
  });

  it("can see set_config in a source file", () => {
    const root = mkdtempSync(path.join(tmpdir(), "citus-report-"));
    try {
      mkdirSync(path.join(root, "auth"));
      writeFileSync(
        path.join(root, "auth", "unit.ts"),
        "const q = sql`select set_config('app.current_organization_id', $1, true)`;\n",
      );
      writeFileSync(path.join(root, "auth", "unit.test.ts"), "set_config('ignored', 'x', true)\n");
      writeFileSync(path.join(root, "auth", "role.ts"), "`select set_config('role', 'x', true)`\n");
      writeFileSync(
        path.join(root, "auth", "session.ts"),
        "`select set_config('role', 'x', false)`\n",
      );
      const found = setConfigFindings(root).map((f) => [f.subject, f.message]);
      expect(found.sort()).toEqual([
        [path.join("auth", "session.ts"), expect.stringContaining("sets role with set_config")],
        [
          path.join("auth", "unit.ts"),
          expect.stringContaining("sets app.current_organization_id with set_config"),
        ],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("can see a table added to the live catalog: a bad key reported, a composite one not", async () => {
    await testDb.db.execute(sql`
      create table citus_probe_bad (id text primary key, ${sql.identifier(TENANT_COLUMN)} text not null)`);
    await testDb.db.execute(sql`
      create table citus_probe_good (${sql.identifier(TENANT_COLUMN)} text, id text,
                                     primary key (${sql.identifier(TENANT_COLUMN)}, id))`);
    const keys = (await citusReport(testDb.db))
      .filter((f) => f.check === "key-without-tenant")
      .map((f) => f.table);
    expect(keys).toContain("citus_probe_bad");
    expect(keys).not.toContain("citus_probe_good");
  });

  it("has a section in docs/scaling.md for every check it runs", () => {
    const doc = readFileSync(path.join(import.meta.dirname, "../../docs/scaling.md"), "utf8");
    const headings = new Set(
      doc
        .split("\n")
        .filter((l) => l.startsWith("### "))
        .map((l) => l.slice(4).trim()),
    );
    for (const { title } of Object.values(CITUS_CHECKS)) expect(headings).toContain(title);
  });
});
