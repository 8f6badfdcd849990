import { createHash } from "node:crypto";
import { getTableName, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../connection/client";
import { rows } from "../connection/rows";
import { seed } from "../seeds";
import { createTestDatabase, type TestDatabase } from "../testing";
import { isTenantTable, schemaTables } from "../tooling/guard";

const tables = schemaTables().sort((a, b) => getTableName(a).localeCompare(getTableName(b)));

/** Row count and a digest of every row (all columns, ordered by id) of each table. */
async function snapshot(db: Database) {
  const result: Record<string, { count: number; digest: string }> = {};
  for (const table of tables) {
    const [row] = await rows<{ count: number; digest: string }>(
      db,
      sql`select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by t.id), '')) as digest from ${table} t`,
    );
    result[getTableName(table)] = row!;
  }
  return result;
}

let first: TestDatabase;
let second: TestDatabase;
beforeAll(async () => {
  [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([first?.dispose(), second?.dispose()]);
});

describe("pnpm db:seed", () => {
  it("can seed the dev tier twice and change no row the second time", async () => {
    const once = await seed({ db: first.db, tier: "dev" });
    const afterOnce = await snapshot(first.db);
    const twice = await seed({ db: first.db, tier: "dev" });
    expect(await snapshot(first.db)).toEqual(afterOnce);
    expect(twice.counts).toEqual(once.counts);
    for (const [table, count] of Object.entries(once.counts))
      expect(afterOnce[table]?.count, table).toBe(count);
  });

  it("can give two fresh databases identical data", async () => {
    await seed({ db: second.db, tier: "dev" });
    expect(await snapshot(second.db)).toEqual(await snapshot(first.db));
  });

  it("cannot leave a tenant table with rows in fewer than two organizations", async () => {
    for (const table of tables.filter(isTenantTable)) {
      const [row] = await rows<{ orgs: number }>(
        first.db,
        sql`select count(distinct organization_id)::int as orgs from ${table}`,
      );
      expect(
        row?.orgs,
        `add rows for ${getTableName(table)} in two organizations to src/seeds/dev.ts`,
      ).toBeGreaterThanOrEqual(2);
    }
  });

  it("can store demo tokens only as sha256 hashes", async () => {
    const { tokens } = await seed({ db: first.db, tier: "dev" });
    expect(tokens).toHaveLength(3);
    for (const { token } of tokens) {
      const hash = createHash("sha256").update(token).digest("hex");
      const stored = await rows<{ n: number }>(
        first.db,
        sql`select count(*)::int as n from personal_access_token where token_hash = ${hash} and token_hash <> ${token}`,
      );
      expect(stored[0]?.n).toBe(1);
      const leaked = await rows<{ n: number }>(
        first.db,
        sql`select count(*)::int as n from personal_access_token t where t::text like ${`%${token}%`}`,
      );
      expect(leaked[0]?.n).toBe(0);
    }
  });

  it("can seed the load tier idempotently", async () => {
    const load = { orgs: 3, rows: 50 };
    const once = await seed({ db: second.db, tier: "load", load });
    const afterOnce = await snapshot(second.db);
    await seed({ db: second.db, tier: "load", load });
    expect(await snapshot(second.db)).toEqual(afterOnce);
    expect(once.counts).toMatchObject({ research_plan: 150, research_step: 150, ai_usage: 150 });
  });
});
