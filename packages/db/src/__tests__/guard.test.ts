import { sql } from "drizzle-orm";
import { index, type PgTable, pgPolicy, pgRole, pgTable, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantPolicies } from "../schema/base";
import { createTestDatabase, type TestDatabase } from "../testing";
import {
  defaultGuardOptions,
  type GuardFinding,
  type GuardOptions,
  type GuardRule,
  guardCatalog,
  guardTables,
  readNonTenantTables,
  schemaTables,
} from "../tooling/guard";

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

const emptyOptions: GuardOptions = {
  seededTables: new Set(),
  nonTenantTables: new Map(),
  rlsBypasses: new Map(),
  probedFunctions: new Set(),
};

/** Every fixture tenant table is seeded and every fixture global table documented, but the two mistakes. */
const fixtureOptions = (base: GuardOptions = emptyOptions): GuardOptions => ({
  ...base,
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
    const bypasses = defaultGuardOptions().rlsBypasses;
    expect([...bypasses.keys()].sort()).toEqual([
      "authenticate_token",
      "document_chunk_tenant_search_select",
      "migration_state",
      "search_chunks_text",
    ]);
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
  const body = `${column} = current_setting('app.current_organization_id', true)`;
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

// --- rule 8: what reads past RLS ------------------------------------------------------------

describe("the schema guard on RLS bypasses", () => {
  const listed = (...names: string[]): GuardOptions => ({
    ...emptyOptions,
    rlsBypasses: new Map(names.map((name) => [name, "a fixture reason"])),
    probedFunctions: new Set(["bypass_fixture_ok"]),
  });

  it("catches a policy for another role missing from the RLS Bypasses list (drizzle metadata)", () => {
    const table = pgTable(
      "bypass_fixture_table",
      { id: text("id").primaryKey(), organizationId: text("organization_id").notNull() },
      (t) => [
        ...tenantPolicies("bypass_fixture_table", "organization_id"),
        pgPolicy("bypass_fixture_read_all", {
          for: "select",
          to: pgRole("bypass_fixture_role").existing(),
          using: sql`true`,
        }),
        index("bypass_fixture_table_organizationId_idx").on(t.organizationId),
      ],
    ).enableRLS();
    const options = { ...listed(), seededTables: new Set(["bypass_fixture_table"]) };
    const [finding, ...rest] = guardTables([table], options);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: "unaudited-rls-bypass", table: "bypass_fixture_table" });
    expect(finding?.message).toBe(
      'bypass_fixture_table: policy bypass_fixture_read_all gives rows to bypass_fixture_role, past the tenant policies, and is not in the "## RLS Bypasses" list of packages/db/CLAUDE.md. Add "- `bypass_fixture_read_all`: <who relies on it and why>" there, or drop the policy.',
    );
    expect(
      guardTables([table], {
        ...options,
        rlsBypasses: listed("bypass_fixture_read_all").rlsBypasses,
      }),
    ).toEqual([]);
  });

  describe("in a migrated catalog", () => {
    let findings: GuardFinding[];
    const definer = (name: string, clauses: string) =>
      `create function ${name}() returns int language sql stable security definer ${clauses} as 'select 1'`;
    const pinned = "set search_path = public, pg_temp";
    const revoke = (name: string) => `revoke all on function ${name}() from public`;

    beforeAll(async () => {
      const statements = [
        `create table bypass_fixture_catalog (id text primary key, note text)`,
        `alter table bypass_fixture_catalog enable row level security`,
        `create policy bypass_fixture_catalog_read_all on bypass_fixture_catalog for select to app_runtime using (true)`,
        definer("bypass_fixture_unlisted", pinned),
        revoke("bypass_fixture_unlisted"),
        definer("bypass_fixture_unpinned", ""),
        revoke("bypass_fixture_unpinned"),
        definer("bypass_fixture_public", pinned),
        definer("bypass_fixture_unprobed", pinned),
        revoke("bypass_fixture_unprobed"),
        `grant execute on function bypass_fixture_unprobed() to authenticated`,
        definer("bypass_fixture_ok", pinned),
        revoke("bypass_fixture_ok"),
        `grant execute on function bypass_fixture_ok() to authenticated`,
        // Not SECURITY DEFINER: runs as its caller, RLS applies.
        `create function bypass_fixture_invoker() returns int language sql stable as 'select 1'`,
      ];
      for (const statement of statements) await testDb.db.execute(sql.raw(statement));
      const real = defaultGuardOptions();
      const options = listed(
        "bypass_fixture_unpinned",
        "bypass_fixture_public",
        "bypass_fixture_unprobed",
        "bypass_fixture_ok",
      );
      const all = await guardCatalog(testDb.db, {
        ...real,
        nonTenantTables: new Map([...real.nonTenantTables, ["bypass_fixture_catalog", "fixture"]]),
        rlsBypasses: new Map([...real.rlsBypasses, ...options.rlsBypasses]),
        probedFunctions: new Set([...real.probedFunctions, ...options.probedFunctions]),
      });
      findings = all.filter((f) => f.rule === "unaudited-rls-bypass");
    });

    it.each([
      [
        "bypass_fixture_catalog",
        "policy bypass_fixture_catalog_read_all gives rows to app_runtime",
      ],
      [
        "bypass_fixture_unlisted",
        'add "- `bypass_fixture_unlisted`: <why it bypasses RLS>" to the',
      ],
      ["bypass_fixture_unpinned", "add SET search_path = public, pg_temp to it"],
      [
        "bypass_fixture_public",
        "REVOKE ALL ON FUNCTION bypass_fixture_public() FROM PUBLIC and GRANT EXECUTE to the one role that needs it",
      ],
      ["bypass_fixture_unprobed", "add an isolation probe for it in src/testing/isolation-seed.ts"],
    ])("catches %s", (name, fix) => {
      const mine = findings.filter((f) => f.table === name);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.message).toMatch(new RegExp(`^${name}: `));
      expect(mine[0]!.message).toContain(fix);
    });

    it("can pass a listed, pinned, probed function and the real ones, and ignores invokers", () => {
      expect(findings.map((f) => f.table).sort()).toEqual([
        "bypass_fixture_catalog",
        "bypass_fixture_public",
        "bypass_fixture_unlisted",
        "bypass_fixture_unpinned",
        "bypass_fixture_unprobed",
      ]);
    });
  });
});
