import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transaction } from "../connection/client";
import { env } from "../connection/env";
import { errorCode, ReadOnlyUnitError } from "../connection/errors";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import {
  createTestDatabase,
  openTestReplica,
  type TestDatabase,
  type TestReplica,
} from "../testing";
import { seedTwoTenants, type TwoTenants } from "./fixtures";

// Read-only tenant units on a streaming replica (TEST_REPLICA_URL, .ci/replica.sh): the test
// database is created and seeded on the primary, then replayed by the standby.

const enabled = Boolean(env().TEST_REPLICA_URL && env().TEST_DATABASE_URL);

let testDb: TestDatabase;
let replica: TestReplica;
let orgs: TwoTenants;

beforeAll(async () => {
  if (!enabled) return;
  testDb = await createTestDatabase();
  orgs = await seedTwoTenants(testDb.db);
  replica = await openTestReplica(testDb);
});
afterAll(async () => {
  await replica?.close();
  await testDb?.dispose();
});

const where = (tx: Transaction) =>
  rows<{ standby: boolean; readOnly: string; role: string; plans: string[] }>(
    tx,
    sql`select pg_is_in_recovery() as standby, current_setting('transaction_read_only') as "readOnly",
               current_user as role,
               coalesce((select array_agg(organization_id order by id) from research_plan), '{}') as plans`,
  );

describe.skipIf(!enabled)("read-only tenant units on a streaming replica", () => {
  it("can run a readOnly unit on the replica, read only, as authenticated", async () => {
    const [inside] = await withTenantContext(testDb.app, { organizationId: orgs.orgA }, where, {
      readOnly: true,
    });
    expect(inside).toMatchObject({ standby: true, readOnly: "on", role: "authenticated" });
  });

  it("cannot see another organization's rows on the replica: the same policies hold there", async () => {
    const [a] = await withTenantContext(testDb.app, { organizationId: orgs.orgA }, where, {
      readOnly: true,
    });
    const [b] = await withTenantContext(testDb.app, { organizationId: orgs.orgB }, where, {
      readOnly: true,
    });
    // Each sees exactly its own rows, as many as the owner counts on the primary.
    const owned = await testDb.db.select().from(researchPlan);
    expect(a?.plans).toEqual(
      owned.filter((p) => p.organizationId === orgs.orgA).map(() => orgs.orgA),
    );
    expect(b?.plans).toEqual(
      owned.filter((p) => p.organizationId === orgs.orgB).map(() => orgs.orgB),
    );
    expect(a?.plans.length).toBeGreaterThan(0);
    const [cross] = await withTenantContext(
      testDb.app,
      { organizationId: orgs.orgA },
      (tx) => tx.select().from(researchPlan).where(eq(researchPlan.organizationId, orgs.orgB)),
      { readOnly: true },
    );
    expect(cross).toBeUndefined();
  });

  it("cannot write in a readOnly unit on the replica: ReadOnlyUnitError (25006)", async () => {
    const error = await withTenantContext(
      testDb.app,
      { organizationId: orgs.orgA },
      (tx) =>
        tx
          .insert(researchPlan)
          .values({ id: "replica_write", organizationId: orgs.orgA, title: "t", objective: "o" }),
      { readOnly: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadOnlyUnitError);
    expect(errorCode(error)).toBe("25006");
  });

  it("can write through a unit without readOnly: writes go to the primary", async () => {
    const [inside] = await withTenantContext(testDb.app, { organizationId: orgs.orgA }, where);
    expect(inside).toMatchObject({ standby: false, readOnly: "off" });
    await withTenantContext(testDb.app, { organizationId: orgs.orgA }, (tx) =>
      tx
        .insert(researchPlan)
        .values({ id: "replica_rw", organizationId: orgs.orgA, title: "t", objective: "o" }),
    );
    const [stored] = await testDb.db
      .select()
      .from(researchPlan)
      .where(eq(researchPlan.id, "replica_rw"));
    expect(stored?.organizationId).toBe(orgs.orgA);
  });

  it("can read its own write on the replica once the replica has replayed the primary's LSN", async () => {
    await withTenantContext(testDb.app, { organizationId: orgs.orgA }, (tx) =>
      tx
        .insert(researchPlan)
        .values({ id: "replica_ryw", organizationId: orgs.orgA, title: "t", objective: "o" }),
    );
    // Read-your-writes: either read on the primary (no readOnly) or wait for replay, as here.
    await replica.caughtUp();
    const seen = await withTenantContext(
      testDb.app,
      { organizationId: orgs.orgA },
      (tx) => tx.select().from(researchPlan).where(eq(researchPlan.id, "replica_ryw")),
      { readOnly: true },
    );
    expect(seen.map((p) => p.id)).toEqual(["replica_ryw"]);
  });
});
