import { getTableName, type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../auth/manage";
import { withTokenContext } from "../auth/tokens";
import type { Transaction } from "../connection/client";
import { env } from "../connection/env";
import { rows } from "../connection/rows";
import { searchChunks } from "../domains/search/hybrid";
import { PROPAGATE_SET_COMMANDS } from "../migrator";
import { documentChunk, EMBEDDING_DIMENSIONS } from "../schema/search";
import { withTenantContext } from "../tenancy/context";
import { TENANT_ROLE } from "../tenancy/roles";
import { quoteLiteral } from "../tenancy/setup";
import { createTestDatabase, rootCause, type TestDatabase, withoutShardIds } from "../testing";
import { ISOLATION_ORGS, seedIsolation } from "../testing/isolation-seed";
import { classifyTables } from "../tooling/citus/classify";
import { isTenantTable, schemaTables } from "../tooling/guard";
import { TENANT_COLUMN } from "../tooling/guard/findings";

// @repo/db on a Citus cluster (TEST_CITUS_URL, .ci/citus.sh): what the distribution step
// (src/migrator/distribute.ts) leaves behind, and that tenant units stay isolated and routed.
// Skipped on every other provider.

const enabled = Boolean(env().TEST_CITUS_URL);
const [A, B] = ISOLATION_ORGS as [(typeof ISOLATION_ORGS)[0], (typeof ISOLATION_ORGS)[0]];
const tenantTables = schemaTables()
  .filter(isTenantTable)
  .map((table) => getTableName(table))
  .sort();

let testDb: TestDatabase;
beforeAll(async () => {
  if (!enabled) return;
  testDb = await createTestDatabase();
  await seedIsolation(testDb.db);
});
afterAll(() => testDb?.dispose());

const asOrg = <T>(organizationId: string, fn: (tx: Transaction) => Promise<T>) =>
  withTenantContext(testDb.app, { organizationId }, fn);

/** EXPLAIN's text, one string. */
async function explain(tx: Transaction, query: SQL): Promise<string> {
  const plan = await rows<{ "QUERY PLAN": string }>(tx, sql`explain ${query}`);
  return plan.map((line) => line["QUERY PLAN"]).join("\n");
}
const taskCount = (plan: string) => Number(/Task Count: (\d+)/.exec(plan)?.[1]);
const workerOf = (plan: string) => /Node: host=\S+ port=(\d+)/.exec(plan)?.[1];

describe.skipIf(!enabled)("@repo/db on Citus", () => {
  it("distributes every tenant table by organization_id, in one colocation group", async () => {
    const placed = await rows<{ table: string; column: string; colocation: number }>(
      testDb.db,
      sql`select c.relname as "table", column_to_column_name(p.logicalrelid, p.partkey) as column,
                 p.colocationid as colocation
          from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid
          where p.partmethod = 'h' order by 1`,
    );
    expect(placed.map((p) => p.table)).toEqual(tenantTables);
    expect(new Set(placed.map((p) => p.column))).toEqual(new Set([TENANT_COLUMN]));
    expect(new Set(placed.map((p) => p.colocation)).size).toBe(1);
  });

  it("makes the global tables tenant tables reference into reference tables, and no other", async () => {
    const { reference } = await classifyTables(testDb.db);
    const placed = await rows<{ table: string }>(
      testDb.db,
      sql`select c.relname as "table" from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid
          where p.partmethod = 'n' and p.repmodel = 't' order by 1`,
    );
    expect(placed.map((p) => p.table)).toEqual([...reference].sort());
    expect(reference).toContain("organization");
  });

  it("sets citus.propagate_set_commands = 'local' on the database, so SET LOCAL reaches the workers", async () => {
    const [row] = await rows<{ value: string }>(
      testDb.app,
      sql`select current_setting(${PROPAGATE_SET_COMMANDS}) as value`,
    );
    expect(row?.value).toBe("local");
  });

  it("routes a tenant query filtering on organization_id to exactly one worker (router plan)", async () => {
    const plan = await asOrg(A.id, (tx) =>
      explain(
        tx,
        sql`select id from research_plan where organization_id = ${sql.raw(quoteLiteral(A.id))}`,
      ),
    );
    expect(taskCount(plan), plan).toBe(1);
    expect(workerOf(plan), plan).toBeDefined();
  });

  it("sends a query RLS alone filters to every shard (correct, not routed)", async () => {
    const [shards] = await rows<{ count: number }>(
      testDb.db,
      sql`select count(*)::int as count from pg_dist_shard where logicalrelid = 'research_plan'::regclass`,
    );
    const plan = await asOrg(A.id, (tx) => explain(tx, sql`select id from research_plan`));
    expect(taskCount(plan), plan).toBe(shards?.count);
    const seen = await asOrg(A.id, (tx) =>
      rows<{ organization_id: string }>(
        tx,
        sql`select distinct organization_id from research_plan`,
      ),
    );
    expect(seen).toEqual([{ organization_id: A.id }]);
  });

  it("cannot read another tenant's rows, even routed to their shard", async () => {
    const owned = await rows(
      testDb.db,
      sql`select id from research_plan where organization_id = ${B.id}`,
    );
    expect(owned.length).toBeGreaterThan(0);
    const seen = await asOrg(A.id, (tx) =>
      rows(tx, sql`select id from research_plan where organization_id = ${B.id}`),
    );
    expect(seen).toEqual([]);
  });

  it("cannot insert a row for another tenant: the worker's policy refuses it", async () => {
    const attempt = asOrg(A.id, (tx) =>
      rows(
        tx,
        sql`insert into research_plan (id, organization_id, title, objective) values ('citus_cross', ${B.id}, 't', 'o')`,
      ),
    );
    const message = await attempt.then(
      () => "ok",
      (error) => withoutShardIds(rootCause(error).message),
    );
    expect(message).toBe('new row violates row-level security policy for table "research_plan"');
    const stored = await rows(testDb.db, sql`select 1 from research_plan where id = 'citus_cross'`);
    expect(stored).toEqual([]);
  });

  const hostile = [
    `${B.id}'; reset role; select '`,
    `${B.id}'\\; set local role postgres; --`,
    `' or organization_id <> '`,
    `${B.id}\\`,
  ];
  for (const value of hostile) {
    it(`treats a hostile organization id as data on every node: ${JSON.stringify(value)}`, async () => {
      const result = await asOrg(value, async (tx) => ({
        role: (await rows<{ role: string }>(tx, sql`select current_user as role`))[0]?.role,
        setting: (
          await rows<{ value: string }>(
            tx,
            sql`select current_setting('app.current_organization_id') as value`,
          )
        )[0]?.value,
        // Every shard: the workers got the same literal, so no tenant's row matches it.
        routed: await rows(tx, sql`select id from research_plan where organization_id = ${B.id}`),
        all: await rows(tx, sql`select id from research_plan`),
      }));
      expect(result).toEqual({ role: TENANT_ROLE, setting: value, routed: [], all: [] });
    });
  }

  it("routes one tenant's nearest-neighbour search to one shard, where its HNSW index serves it", async () => {
    const vector = `[${Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => (i % 7) / 7).join(",")}]`;
    const plan = await asOrg(A.id, async (tx) => {
      // What searchChunks sets (SET LOCAL: Citus sends it to the worker too).
      await tx.execute(sql`set local enable_sort = off`);
      // Literals, not parameters: Citus cannot fetch a remote plan for a parameterized EXPLAIN.
      return explain(
        tx,
        sql`select id from ${documentChunk} where organization_id = ${sql.raw(quoteLiteral(A.id))}
            order by embedding <=> ${sql.raw(quoteLiteral(vector))}::halfvec limit 10`,
      );
    });
    expect(taskCount(plan), plan).toBe(1);
    expect(plan).toMatch(/Index Scan using document_chunk_embedding_idx_\d+ on document_chunk_\d+/);
  });

  it("can commit a token unit that writes last_used_at and searches through the definer function, leaving no prepared transaction", async () => {
    // Two-phase commit: the token check writes (coordinator) and the search reaches the workers
    // as tenant_search. PREPARE and COMMIT PREPARED must run as the same role there, which a
    // replayed SET ROLE would break ("permission denied to finish prepared transaction").
    const { token } = await issueToken(testDb.db, {
      organizationId: A.id,
      userId: `${A.key}_user_1`,
      scopes: ["search:read"],
    });
    for (let i = 0; i < 2; i++) {
      await testDb.db.execute(
        sql`update personal_access_token set last_used_at = null where user_id = ${`${A.key}_user_1`}`,
      );
      const unit = await withTokenContext(testDb.app, { token }, (tx) =>
        searchChunks(tx, { query: "alpha beta", limit: 5 }),
      );
      expect(unit.outcome).toBe("ok");
    }
    const prepared = await rows<{ n: number }>(
      testDb.db,
      sql`select count(*)::int as n from run_command_on_all_nodes(
            $$select count(*) from pg_prepared_xacts where database = current_database()$$)
          where result <> '0'`,
    );
    expect(prepared).toEqual([{ n: 0 }]);
  });
});
