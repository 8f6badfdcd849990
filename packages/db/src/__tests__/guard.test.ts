import { sql } from "drizzle-orm";
import { index, type PgTable, pgTable, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultGuardOptions,
  type GuardFinding,
  type GuardOptions,
  type GuardRule,
  guardCatalog,
  guardTables,
  readNonTenantTables,
  schemaTables,
} from "../guard";
import { tenantPolicies } from "../schema/base";
import { createTestDatabase, type TestDatabase } from "../testing";

// Mutation tests: a fixture schema with one correct tenant table and seven tables that each
// carry exactly one of the seven mistakes the guard exists for. Each must be caught, on
// exactly that table, with a message naming the table and the fix.

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb?.dispose());

type Mistake = GuardRule | undefined;

interface MutationCase {
  rule: GuardRule;
  title: string;
  table: string;
  /** A fragment of the fix the message must give. */
  fix: string;
}

const CORRECT = "fixture_correct";

const CASES: MutationCase[] = [
  {
    rule: "rls-disabled",
    title: "a tenant table without RLS",
    table: "fixture_no_rls",
    fix: ".enableRLS()",
  },
  {
    rule: "missing-policies",
    title: "tenantColumns without tenantPolicies",
    table: "fixture_no_policies",
    fix: 'tenantPolicies("fixture_no_policies", "organization_id")',
  },
  {
    rule: "policy-wrong-column",
    title: "tenantPolicies on the wrong column",
    table: "fixture_wrong_column",
    fix: 'tenantPolicies("fixture_wrong_column", "organization_id")',
  },
  {
    rule: "missing-organization-index",
    title: "a tenant table without an organization_id index",
    table: "fixture_no_org_index",
    fix: 'index("fixture_no_org_index_organizationId_idx").on(table.organizationId)',
  },
  {
    rule: "unindexed-foreign-key",
    title: "a foreign key column without an index",
    table: "fixture_unindexed_fk",
    fix: 'index("fixture_unindexed_fk_createdById_idx").on(table.createdById)',
  },
  {
    rule: "missing-seed-rows",
    title: "a tenant table with no rows in the isolation seed",
    table: "fixture_unseeded",
    fix: "add seed rows for fixture_unseeded",
  },
  {
    rule: "undocumented-global-table",
    title: "a global table missing from the Non-Tenant Tables list",
    table: "fixture_undocumented",
    fix: "Non-Tenant Tables",
  },
];

// --- drizzle fixture schema, independent of the real tables -------------------------------

const fixtureOrganization = pgTable("fixture_organization", { id: text("id").primaryKey() });
const fixtureUser = pgTable("fixture_user", { id: text("id").primaryKey() });

/** A tenant table done right (as CLAUDE.md "Adding a table" says), except for `mistake`. */
function fixtureTenantTable(name: string, mistake: Mistake) {
  const table = pgTable(
    name,
    {
      id: text("id").primaryKey(),
      organizationId: text("organization_id")
        .notNull()
        .references(() => fixtureOrganization.id, { onDelete: "cascade" }),
      createdById: text("created_by_id").references(() => fixtureUser.id, {
        onDelete: "set null",
      }),
    },
    (t) => [
      ...(mistake === "missing-policies"
        ? []
        : tenantPolicies(
            name,
            mistake === "policy-wrong-column" ? "created_by_id" : "organization_id",
          )),
      ...(mistake === "missing-organization-index"
        ? []
        : [index(`${name}_organizationId_idx`).on(t.organizationId)]),
      ...(mistake === "unindexed-foreign-key"
        ? []
        : [index(`${name}_createdById_idx`).on(t.createdById)]),
    ],
  );
  return mistake === "rls-disabled" ? table : table.enableRLS();
}

const fixtureTables: PgTable[] = [
  fixtureOrganization,
  fixtureUser,
  fixtureTenantTable(CORRECT, undefined),
  ...CASES.map(({ table, rule }) =>
    rule === "undocumented-global-table"
      ? pgTable(table, { id: text("id").primaryKey(), note: text("note") })
      : fixtureTenantTable(table, rule),
  ),
];

/** Every fixture tenant table is seeded and every fixture global table documented, but the two mistakes. */
const fixtureOptions = (
  base: GuardOptions = { seededTables: new Set(), nonTenantTables: new Map() },
): GuardOptions => ({
  seededTables: new Set([
    ...base.seededTables,
    CORRECT,
    ...CASES.filter(
      (c) => c.rule !== "missing-seed-rows" && c.rule !== "undocumented-global-table",
    ).map((c) => c.table),
  ]),
  nonTenantTables: new Map([
    ...base.nonTenantTables,
    ["fixture_organization", "the fixture tenant itself"],
    ["fixture_user", "a fixture person, across organizations"],
  ]),
});

/** Asserts the 7/7: each mistake caught once, on its table, with the table and the fix named. */
function expectCaught(findings: GuardFinding[], { rule, table, fix }: MutationCase) {
  const onTable = findings.filter((f) => f.table === table);
  expect(onTable.map((f) => f.rule)).toEqual([rule]);
  expect(findings.filter((f) => f.rule === rule).map((f) => f.table)).toEqual([table]);
  expect(onTable[0]!.message).toMatch(new RegExp(`^${table}: `));
  expect(onTable[0]!.message).toContain(fix);
}

// --- the real schema ------------------------------------------------------------------------

describe("the schema guard on the real schema", () => {
  it("can pass every table exported from src/schema (drizzle metadata)", () => {
    const tables = schemaTables();
    expect(tables.length).toBeGreaterThan(15);
    expect(guardTables(tables, defaultGuardOptions())).toEqual([]);
  });

  it("can pass the catalog of the migrated test database", async () => {
    expect(await guardCatalog(testDb.db, defaultGuardOptions())).toEqual([]);
  });

  it("can read the Non-Tenant Tables list of CLAUDE.md, with each table's reason", () => {
    const documented = defaultGuardOptions().nonTenantTables;
    expect(documented.get("organization")).toMatch(/^the tenant itself/);
    expect(documented.get("personal_access_token")).toMatch(/membership checked there\./);
    const parsed = readNonTenantTables(
      "## Other\n- `nope`: elsewhere\n\n## Non-Tenant Tables\n\nIntro:\n\n- `a`: one\n  more.\n- `b`:\n\n## Next\n- `c`: after",
    );
    expect([...parsed]).toEqual([
      ["a", "one more."],
      ["b", ""],
    ]);
  });
});

// --- mutations of the drizzle fixture schema ------------------------------------------------

describe("the schema guard on drizzle metadata", () => {
  const findings = guardTables(fixtureTables, fixtureOptions());

  it.each(CASES.map((c) => [`catches ${c.title} (${c.rule})`, c] as const))("%s", (_, mutation) => {
    expectCaught(findings, mutation);
  });

  it("can pass the correct fixture table, and catches 7/7 mistakes with nothing else", () => {
    expect(findings.filter((f) => f.table === CORRECT)).toEqual([]);
    expect(findings.map((f) => f.rule).sort()).toEqual(CASES.map((c) => c.rule).sort());
  });

  it("cannot accept a global table listed without a reason", () => {
    const options = fixtureOptions();
    const [finding, ...rest] = guardTables([fixtureUser], {
      ...options,
      nonTenantTables: new Map([...options.nonTenantTables, ["fixture_user", " "]]),
    });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: "undocumented-global-table", table: "fixture_user" });
    expect(finding?.message).toContain("without a reason");
  });
});

// --- mutations of a migrated catalog --------------------------------------------------------

/** The SQL of a tenant table done right in a migrated database, except for `mistake`. */
function fixtureTenantSql(name: string, mistake: Mistake): string[] {
  const column = mistake === "policy-wrong-column" ? "created_by_id" : "organization_id";
  const body = `${column} = (select current_setting('app.current_organization_id', true))`;
  const policies = {
    select: `using (${body})`,
    insert: `with check (${body})`,
    update: `using (${body}) with check (${body})`,
    delete: `using (${body})`,
  };
  return [
    `create table ${name} (id text primary key,
       organization_id text not null references organization(id) on delete cascade,
       created_by_id text references "user"(id) on delete set null)`,
    ...(mistake === "rls-disabled" ? [] : [`alter table ${name} enable row level security`]),
    ...(mistake === "missing-policies"
      ? []
      : Object.entries(policies).map(
          ([command, clause]) =>
            `create policy ${name}_tenant_${command} on ${name} as permissive for ${command} to authenticated ${clause}`,
        )),
    ...(mistake === "missing-organization-index"
      ? []
      : [`create index ${name}_organization_id_idx on ${name} (organization_id)`]),
    ...(mistake === "unindexed-foreign-key"
      ? []
      : [`create index ${name}_created_by_id_idx on ${name} (created_by_id)`]),
  ];
}

describe("the schema guard on a migrated catalog", () => {
  let all: GuardFinding[];
  let findings: GuardFinding[];

  beforeAll(async () => {
    const statements = [
      ...fixtureTenantSql(CORRECT, undefined),
      ...CASES.flatMap(({ table, rule }) =>
        rule === "undocumented-global-table"
          ? [`create table ${table} (id text primary key, note text)`]
          : fixtureTenantSql(table, rule),
      ),
    ];
    for (const statement of statements) await testDb.db.execute(sql.raw(statement));
    all = await guardCatalog(testDb.db, fixtureOptions(defaultGuardOptions()));
    findings = all.filter((f) => f.table.startsWith("fixture_"));
  });

  it.each(CASES.map((c) => [`catches ${c.title} in the catalog (${c.rule})`, c] as const))(
    "%s",
    (_, mutation) => {
      expectCaught(findings, mutation);
    },
  );

  it("can pass the correct fixture table and the real tables beside the mutations", () => {
    expect(findings.filter((f) => f.table === CORRECT)).toEqual([]);
    expect(findings).toHaveLength(CASES.length);
    expect(all.filter((f) => !f.table.startsWith("fixture_"))).toEqual([]);
  });
});
