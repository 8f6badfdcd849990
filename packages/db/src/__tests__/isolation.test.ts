import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database, type Transaction } from "../connection/client";
import { env } from "../connection/env";
import { rows } from "../connection/rows";
import { TenantContextError, withTenantContext } from "../tenancy/context";
import {
  CITUS_DISTRIBUTION_COLUMN_UPDATE,
  createTestDatabase,
  rootCause,
  type TestDatabase,
  withoutShardIds,
} from "../testing";
import {
  ISOLATION_ORGS,
  ISOLATION_PROBES,
  isolationSeedFor,
  ROWS_PER_ORG,
  seedIsolation,
} from "../testing/isolation-seed";
import { isTenantTable, schemaTables } from "../tooling/guard";

// The isolation matrix, generated from drizzle's metadata: every table with an
// organization_id column, no hand-written list. Acting through the runtime role (app_runtime
// + withTenantContext). Every "0 rows" is checked against the owner's view first, so nothing
// passes by seeing nothing; every denial asserts Postgres' exact error.

const tenantTables = schemaTables()
  .filter(isTenantTable)
  .sort((a, b) => getTableName(a).localeCompare(getTableName(b)));

const [A, B] = ISOLATION_ORGS as [(typeof ISOLATION_ORGS)[0], (typeof ISOLATION_ORGS)[0]];

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedIsolation(testDb.db);
});
afterAll(() => testDb?.dispose());

/** The Postgres error a statement ends with, or "ok" (on Citus, shards named by their table). */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (error) => withoutShardIds(rootCause(error).message),
  );

const rlsDenied = (table: string) =>
  `new row violates row-level security policy for table "${table}"`;

/** The owner's view (bypasses RLS). */
async function ownerRows(table: PgTable, organizationId?: string) {
  const where = organizationId ? sql`where organization_id = ${organizationId}` : sql``;
  return rows<{ id: string; updated_at: unknown }>(
    testDb.db,
    sql`select id, updated_at::text from ${table} ${where} order by id`,
  );
}

const asOrg = <T>(organizationId: string, fn: (tx: Transaction) => Promise<T>) =>
  withTenantContext(testDb.app, { organizationId }, fn);

const seed = (table: PgTable) => {
  const entry = isolationSeedFor(getTableName(table));
  if (!entry)
    throw new Error(`add seed rows for ${getTableName(table)} to src/testing/isolation-seed.ts`);
  return entry;
};

/** Composite (organization_id, column) foreign keys: the tenant-to-tenant references. */
function tenantReferences(table: PgTable) {
  const keys = Object.entries(getTableColumns(table));
  return getTableConfig(table)
    .foreignKeys.map((fk) => fk.reference())
    .filter((ref) => ref.columns.length === 2 && ref.columns[0]?.name === "organization_id")
    .map((ref) => {
      const column = ref.columns[1]!;
      return {
        constraint: `${getTableName(table)}_${column.name}_same_tenant_fk`,
        property: keys.find(([, c]) => c.name === column.name)![0],
        column: column.name,
        parent: getTableName(ref.foreignTable),
      };
    });
}

it("covers every tenant table, each created by a migration", async () => {
  const names = tenantTables.map(getTableName);
  const [found] = await rows<{ missing: string[] }>(
    testDb.db,
    sql`select coalesce(array_agg(name), '{}') as missing
        from unnest(${sql.raw(`array[${names.map((n) => `'${n}'`).join(", ")}]`)}::text[]) as name
        where to_regclass(name) is null`,
  );
  expect(
    found!.missing.map((name) => `${name}: run \`pnpm db:generate --name add_${name}\``),
  ).toEqual([]);
});

it("covers every tenant table, each with seed rows in at least two organizations", () => {
  expect(tenantTables.length).toBeGreaterThan(0);
  const missing = tenantTables.map(getTableName).filter((name) => !isolationSeedFor(name));
  expect(
    missing.map((name) => `add seed rows for ${name} to src/testing/isolation-seed.ts`),
  ).toEqual([]);
  expect(ROWS_PER_ORG * ISOLATION_ORGS.length).toBeGreaterThanOrEqual(4);
});

describe.each(tenantTables.map((table) => [getTableName(table), table] as const))(
  "%s",
  (name, table) => {
    it(`org A can see exactly its own ${name} rows`, async () => {
      const mine = await ownerRows(table, A.id);
      expect(mine).toHaveLength(ROWS_PER_ORG);
      expect(await ownerRows(table, B.id)).toHaveLength(ROWS_PER_ORG);
      const visible = await asOrg(A.id, (tx) =>
        rows<{ id: string; organization_id: string }>(
          tx,
          sql`select id, organization_id from ${table} order by id`,
        ),
      );
      expect(visible.map((row) => row.id)).toEqual(mine.map((row) => row.id));
      expect(new Set(visible.map((row) => row.organization_id))).toEqual(new Set([A.id]));
    });

    it(`org A cannot update org B's ${name}: 0 rows`, async () => {
      const before = await ownerRows(table, B.id);
      expect(before).toHaveLength(ROWS_PER_ORG);
      const updated = await asOrg(A.id, (tx) =>
        rows(
          tx,
          sql`update ${table} set updated_at = now() + interval '1 day' where organization_id = ${B.id} returning id`,
        ),
      );
      expect(updated).toEqual([]);
      expect(await ownerRows(table, B.id)).toEqual(before);
    });

    it(`org A cannot delete org B's ${name}: 0 rows`, async () => {
      const deleted = await asOrg(A.id, (tx) =>
        rows(tx, sql`delete from ${table} where organization_id = ${B.id} returning id`),
      );
      expect(deleted).toEqual([]);
      expect(await ownerRows(table, B.id)).toHaveLength(ROWS_PER_ORG);
    });

    it(`org A can update and delete its own ${name} row`, async () => {
      // The last seed row: no row references it (same-tenant keys are NO ACTION on delete).
      const mine = (await ownerRows(table, A.id)).at(-1);
      expect(mine).toBeDefined();
      const rolledBack = new Error("roll back the own-row writes");
      let written: unknown;
      const result = await outcome(
        asOrg(A.id, async (tx) => {
          const updated = await rows<{ id: string }>(
            tx,
            sql`update ${table} set updated_at = now() + interval '1 day' where id = ${mine!.id} returning id`,
          );
          const deleted = await rows<{ id: string }>(
            tx,
            sql`delete from ${table} where id = ${mine!.id} returning id`,
          );
          written = { updated, deleted };
          throw rolledBack;
        }),
      );
      expect(result).toBe(rolledBack.message);
      expect(written).toEqual({ updated: [{ id: mine!.id }], deleted: [{ id: mine!.id }] });
      expect(await ownerRows(table, A.id)).toHaveLength(ROWS_PER_ORG);
    });

    it(`org A cannot insert a ${name} row for org B`, async () => {
      const row = seed(table).row(B, 99);
      expect(await outcome(asOrg(A.id, (tx) => tx.insert(table).values(row as never)))).toBe(
        rlsDenied(name),
      );
      expect((await ownerRows(table)).map((r) => r.id)).not.toContain(row.id);
    });

    it(`org A can insert its own ${name} row (the control for the denials)`, async () => {
      const row = seed(table).row(A, 99);
      const rolledBack = new Error("roll back the control row");
      const result = await outcome(
        asOrg(A.id, async (tx) => {
          await tx.insert(table).values(row as never);
          throw rolledBack;
        }),
      );
      expect(result).toBe(rolledBack.message);
    });

    it(`org A cannot move its ${name} row to org B`, async () => {
      const [first] = await ownerRows(table, A.id);
      expect(first).toBeDefined();
      const moved = outcome(
        asOrg(A.id, (tx) =>
          tx.execute(sql`update ${table} set organization_id = ${B.id} where id = ${first!.id}`),
        ),
      );
      // Citus refuses any change of the distribution column before RLS is asked.
      expect(await moved).toBe(
        testDb.provider === "citus" ? CITUS_DISTRIBUTION_COLUMN_UPDATE : rlsDenied(name),
      );
      expect((await ownerRows(table, A.id)).map((r) => r.id)).toContain(first!.id);
    });

    for (const reference of tenantReferences(table)) {
      it(`org A cannot point ${name}.${reference.column} at org B's ${reference.parent}`, async () => {
        const parentOfB = isolationSeedFor(reference.parent)!.row(B, 1).id as string;
        const [parentRow] = await rows(
          testDb.db,
          sql`select 1 from ${sql.identifier(reference.parent)} where id = ${parentOfB}`,
        );
        expect(parentRow, `${reference.parent} ${parentOfB} exists`).toBeDefined();
        const row = { ...seed(table).row(A, 99), [reference.property]: parentOfB };
        expect(await outcome(asOrg(A.id, (tx) => tx.insert(table).values(row as never)))).toBe(
          `insert or update on table "${name}" violates foreign key constraint "${reference.constraint}"`,
        );
        expect(await ownerRows(table, A.id)).toHaveLength(ROWS_PER_ORG);
      });
    }
  },
);

// SECURITY DEFINER functions `authenticated` may execute read past RLS and filter by the
// tenant setting themselves: the catalog says which exist, ISOLATION_PROBES how to call each.

/** The ids a probe call returns in a transaction with `organizationId` set, as `role`. */
const idsIn = (db: Database, organizationId: string, query: SQL, role?: string) =>
  db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.current_organization_id', ${organizationId}, true)`,
    );
    if (role) await tx.execute(sql`select set_config('role', ${role}, true)`);
    return (await rows<{ id: string }>(tx, query)).map((row) => row.id).sort();
  });

it("covers every SECURITY DEFINER function authenticated may execute", async () => {
  const functions = await rows<{ name: string }>(
    testDb.db,
    sql`select p.proname as name from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
        where p.prosecdef and has_function_privilege('authenticated', p.oid, 'EXECUTE')
        order by 1`,
  );
  expect(functions.map((f) => f.name)).toEqual(ISOLATION_PROBES.map((probe) => probe.name).sort());
});

describe.each(ISOLATION_PROBES.map((probe) => [probe.name, probe] as const))(
  "%s (SECURITY DEFINER)",
  (name, probe) => {
    const table = getTableName(probe.table);

    it(`org A can find exactly its own ${table} rows through ${name}`, async () => {
      const mine = (await ownerRows(probe.table, A.id)).map((row) => row.id);
      expect(mine).toHaveLength(ROWS_PER_ORG);
      const found = await asOrg(A.id, (tx) => rows<{ id: string }>(tx, probe.call(A)));
      expect(found.map((row) => row.id).sort()).toEqual(mine);
    });

    it(`org A cannot get org B's best ${table} matches through ${name}`, async () => {
      // As the owner in B's context: B's words find B's rows.
      const theirs = await idsIn(testDb.db, B.id, probe.call(B));
      expect(theirs).toHaveLength(ROWS_PER_ORG);
      const owners = await rows<{ organization_id: string }>(
        testDb.db,
        sql`select distinct organization_id from ${probe.table} where id in (${sql.join(
          theirs.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      );
      expect(owners).toEqual([{ organization_id: B.id }]);
      // As org A, the same words find nothing, and A's own words none of B's rows.
      expect(await asOrg(A.id, (tx) => rows(tx, probe.call(B)))).toEqual([]);
      const forA = await asOrg(A.id, (tx) => rows<{ id: string }>(tx, probe.call(A)));
      expect(forA.filter((row) => theirs.includes(row.id))).toEqual([]);
    });

    it(`cannot be executed by the runtime role outside withTenantContext`, async () => {
      expect(await outcome(testDb.app.execute(probe.call(A)))).toBe(
        `permission denied for function ${name}`,
      );
    });

    it(`finds no ${table} rows with a blank tenant setting`, async () => {
      for (const blank of ["", "   "]) {
        for (const org of ISOLATION_ORGS) {
          expect(await idsIn(testDb.app, blank, probe.call(org), "authenticated")).toEqual([]);
        }
      }
    });

    // Through a transaction pooler a new client connection reuses a server session that may have
    // set the tenant setting before (it reads '' afterwards, covered by the blank-setting case):
    // a session that never set it exists only on a direct connection.
    it.skipIf(!env().TEST_DATABASE_URL || Boolean(env().TEST_POOLER_URL))(
      `finds no ${table} rows in a session that never set the tenant setting`,
      async () => {
        // A fresh login: the setting does not exist at all (current_setting(..., true) is null).
        const fresh = createDatabase({ url: testDb.appUrl!, max: 1 });
        try {
          const seen = await fresh.db.transaction(async (tx) => {
            await tx.execute(sql`select set_config('role', 'authenticated', true)`);
            const [setting] = await rows<{ value: string | null }>(
              tx,
              sql`select current_setting('app.current_organization_id', true) as value`,
            );
            return { setting: setting?.value, rows: await rows(tx, probe.call(B)) };
          });
          expect(seen).toEqual({ setting: null, rows: [] });
        } finally {
          await fresh.close();
        }
      },
    );
  },
);

describe("without a usable tenant context", () => {
  const hostile: [string, string][] = [
    ["a SQL injection", "' OR 1=1 --"],
    ["a 10 kB string", "x".repeat(10 * 1024)],
    ["unicode", "组织_🔒_ß_\u202Eorg_iso_a"],
    ["another org's id with a leading space", ` ${B.id}`],
    ["another org's id with a trailing space", `${B.id} `],
    ["another org's id with a newline", `${B.id}\n`],
    ["another org's id in upper case", B.id.toUpperCase()],
  ];

  it("cannot even start a context that is missing or blank", async () => {
    for (const organizationId of [undefined, "", "  "]) {
      await expect(
        withTenantContext(testDb.app, { organizationId } as never, async () => 0),
      ).rejects.toBeInstanceOf(TenantContextError);
    }
  });

  describe.each(tenantTables.map((table) => [getTableName(table), table] as const))(
    "%s",
    (name, table) => {
      it(`cannot be read or written by the runtime role outside withTenantContext`, async () => {
        expect((await ownerRows(table)).length).toBeGreaterThan(0);
        const denied = `permission denied for table ${name}`;
        expect(await outcome(testDb.app.execute(sql`select * from ${table}`))).toBe(denied);
        expect(
          await outcome(testDb.app.insert(table).values(seed(table).row(A, 98) as never)),
        ).toBe(denied);
        expect(await outcome(testDb.app.execute(sql`update ${table} set updated_at = now()`))).toBe(
          denied,
        );
        expect(await outcome(testDb.app.execute(sql`delete from ${table}`))).toBe(denied);
      });

      it(`shows 0 ${name} rows and rejects every write with a blank tenant setting`, async () => {
        const all = await ownerRows(table);
        expect(all.length).toBeGreaterThan(0);
        // Below withTenantContext (which refuses blank values): the setting itself is blank.
        const result = await testDb.app.transaction(async (tx) => {
          await tx.execute(
            sql`select set_config('app.current_organization_id', '', true), set_config('role', 'authenticated', true)`,
          );
          return {
            visible: await rows(tx, sql`select id from ${table}`),
            updated: await rows(tx, sql`update ${table} set updated_at = now() returning id`),
            deleted: await rows(tx, sql`delete from ${table} returning id`),
          };
        });
        expect(result).toEqual({ visible: [], updated: [], deleted: [] });
        expect(await ownerRows(table)).toEqual(all);
      });

      it.each(hostile)(
        `shows 0 ${name} rows and rejects every write with %s as the organization`,
        async (_, value) => {
          const all = await ownerRows(table);
          expect(all.length).toBeGreaterThan(0);
          const seen = await withTenantContext(
            testDb.app,
            { organizationId: value },
            async (tx) => ({
              visible: await rows(tx, sql`select id from ${table}`),
              updated: await rows(tx, sql`update ${table} set updated_at = now() returning id`),
              deleted: await rows(tx, sql`delete from ${table} returning id`),
            }),
          );
          expect(seen).toEqual({ visible: [], updated: [], deleted: [] });
          const insert = withTenantContext(testDb.app, { organizationId: value }, (tx) =>
            tx.insert(table).values(seed(table).row(B, 97) as never),
          );
          expect(await outcome(insert)).toBe(rlsDenied(name));
          expect(await ownerRows(table)).toEqual(all);
        },
      );
    },
  );

  describe.each(ISOLATION_PROBES.map((probe) => [probe.name, probe] as const))(
    "%s (SECURITY DEFINER)",
    (name, probe) => {
      it.each(hostile)(
        `finds no rows through ${name} with %s as the organization`,
        async (_, value) => {
          expect(await ownerRows(probe.table)).not.toEqual([]);
          for (const org of ISOLATION_ORGS) {
            const seen = await withTenantContext(testDb.app, { organizationId: value }, (tx) =>
              rows(tx, probe.call(org)),
            );
            expect(seen, org.id).toEqual([]);
          }
        },
      );
    },
  );
});
