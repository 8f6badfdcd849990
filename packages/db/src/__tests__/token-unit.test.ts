import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTokenContext } from "../auth/tokens";
import { rootCause } from "../connection/errors";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { seed } from "../seeds";
import { withTenantContext } from "../tenancy/context";
import { createTestDatabase, type TestDatabase } from "../testing";

// A unit that authenticates its own token (the API's reads): one round trip, and a refused
// token must leave it with nothing to see and nothing to write.

let testDb: TestDatabase;
let token: string;
let organization: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { tokens } = await seed({ db: testDb.db, tier: "dev" });
  token = tokens[0]!.token;
  organization = tokens[0]!.organization;
});
afterAll(() => testDb?.dispose());

const context = (tx: Parameters<Parameters<typeof withTokenContext>[2]>[0]) =>
  rows<{ role: string; org: string; user: string; plans: number }>(
    tx,
    sql`select current_user as role, current_setting('app.current_organization_id') as org,
               current_setting('app.current_user_id') as user,
               (select count(*)::int from research_plan) as plans`,
  );

describe("a unit authenticated by its token (withTokenContext)", () => {
  it("can run as the token's user and organization, and says who they are", async () => {
    const unit = await withTokenContext(testDb.app, { token }, context);
    expect(unit.outcome).toBe("ok");
    if (unit.outcome !== "ok") return;
    expect(unit.organizationId).toBe(organization);
    const [seen] = unit.value;
    expect(seen).toMatchObject({ role: "authenticated", org: organization, user: unit.userId });
    expect(seen?.plans).toBeGreaterThan(0);
  });

  it("cannot see a row with an unknown token: the refusal is the answer", async () => {
    let seen: unknown;
    const unit = await withTokenContext(testDb.app, { token: "rpat_not_a_token" }, async (tx) => {
      seen = await context(tx);
      return seen;
    });
    expect(unit).toEqual({ outcome: "unknown" });
    expect(seen).toEqual([{ role: "authenticated", org: "", user: "", plans: 0 }]);
  });

  it("cannot write with an unknown token: the refusal, not RLS's error, and nothing stored", async () => {
    const unit = await withTokenContext(testDb.app, { token: "rpat_not_a_token" }, (tx) =>
      tx.insert(researchPlan).values({
        id: "token_unit_write",
        organizationId: organization,
        title: "t",
        objective: "o",
      }),
    );
    expect(unit).toEqual({ outcome: "unknown" });
    const [stored] = await rows<{ n: number }>(
      testDb.db,
      sql`select count(*)::int as n from research_plan where id = 'token_unit_write'`,
    );
    expect(stored?.n).toBe(0);
  });

  it("cannot choose an organization its user is not a member of, hostile or not", async () => {
    for (const organizationId of ["org_nobody", "x'; reset role; --", " "]) {
      const unit = await withTokenContext(testDb.app, { token, organizationId }, context);
      expect(unit, organizationId).toEqual({ outcome: "no_membership" });
    }
  });
});

// The token unit's settings go through set_tenant_settings (migration 0011): SET LOCAL, which
// Citus propagates, with each value quoted by format(%L) whatever it holds.
describe("set_tenant_settings", () => {
  const HOSTILE = [
    "o'rg",
    "back\\slash\\",
    "'; drop table research_plan; --",
    "E'x' \\' ''",
    "$$; select 1; $$",
    "%L %I %s",
    "ünïcødé 🚀 ‮",
  ];

  it("can set both settings to any value, hostile or not, until the end of the transaction", async () => {
    for (const value of HOSTILE) {
      const seen = await testDb.app.transaction(async (tx) => {
        await tx.execute(sql`select public.set_tenant_settings(${value}, ${`${value}-user`})`);
        return rows<{ org: string; user: string }>(
          tx,
          sql`select current_setting('app.current_organization_id') as org,
                     current_setting('app.current_user_id') as user`,
        );
      });
      expect(seen).toEqual([{ org: value, user: `${value}-user` }]);
    }
    expect(await testDb.db.$count(researchPlan)).toBeGreaterThan(0);
  });

  it("can clear both settings: NULL sets '' (no organization id is blank)", async () => {
    const seen = await testDb.app.transaction(async (tx) => {
      await tx.execute(sql`select public.set_tenant_settings(null, null)`);
      return rows(
        tx,
        sql`select current_setting('app.current_organization_id') as org,
                   current_setting('app.current_user_id') as user`,
      );
    });
    expect(seen).toEqual([{ org: "", user: "" }]);
  });

  it("cannot be called by a tenant unit (role authenticated)", async () => {
    const refused = await withTenantContext(testDb.app, { organizationId: organization }, (tx) =>
      tx.execute(sql`select public.set_tenant_settings('x', 'y')`),
    ).then(
      () => "ok",
      (error) => rootCause(error).message,
    );
    expect(refused).toBe("permission denied for function set_tenant_settings");
  });
});
