import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentChunk, researchPlan } from "../schema";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";
import { asTenant, seedTwoTenants, type TwoTenants } from "./fixtures";

let testDb: TestDatabase;
let orgs: TwoTenants;

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgs = await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

/** Re-checked as the owner, so no assertion passes by seeing nothing. */
async function ownerPlans(organizationId: string) {
  return testDb.db
    .select({ id: researchPlan.id, title: researchPlan.title })
    .from(researchPlan)
    .where(eq(researchPlan.organizationId, organizationId))
    .orderBy(researchPlan.id);
}

describe("tenant isolation with SET LOCAL ROLE authenticated", () => {
  it("org A can see only its own research_plan rows", async () => {
    expect(await ownerPlans(orgs.orgB)).toHaveLength(2);
    const visible = await asTenant(testDb.db, orgs.orgA, (tx) =>
      tx
        .select({ id: researchPlan.id, org: researchPlan.organizationId })
        .from(researchPlan)
        .orderBy(researchPlan.id),
    );
    expect(visible).toEqual([
      { id: "plan_a1", org: orgs.orgA },
      { id: "plan_a2", org: orgs.orgA },
    ]);
  });

  it("org B can see only its own document_chunk rows", async () => {
    const all = await testDb.db.select({ id: documentChunk.id }).from(documentChunk);
    expect(all).toHaveLength(4);
    const visible = await asTenant(testDb.db, orgs.orgB, (tx) =>
      tx.select({ id: documentChunk.id }).from(documentChunk).orderBy(documentChunk.id),
    );
    expect(visible.map((row) => row.id)).toEqual(["chunk_b0", "chunk_b1"]);
  });

  it("org A cannot insert a research_plan for org B", async () => {
    const attempt = asTenant(testDb.db, orgs.orgA, (tx) =>
      tx
        .insert(researchPlan)
        .values({ id: "plan_evil", organizationId: orgs.orgB, title: "x", objective: "x" }),
    );
    await expect(attempt.catch((e) => Promise.reject(rootCause(e)))).rejects.toThrow(
      'new row violates row-level security policy for table "research_plan"',
    );
    expect((await ownerPlans(orgs.orgB)).map((p) => p.id)).toEqual(["plan_b1", "plan_b2"]);
  });

  it("org A cannot update org B's research_plan: 0 rows", async () => {
    const updated = await asTenant(testDb.db, orgs.orgA, (tx) =>
      tx
        .update(researchPlan)
        .set({ title: "hijacked" })
        .where(eq(researchPlan.id, "plan_b1"))
        .returning(),
    );
    expect(updated).toHaveLength(0);
    expect(await ownerPlans(orgs.orgB)).toContainEqual({ id: "plan_b1", title: "Plan b1" });
  });

  it("org A cannot delete org B's research_plan: 0 rows", async () => {
    const deleted = await asTenant(testDb.db, orgs.orgA, (tx) =>
      tx.delete(researchPlan).where(eq(researchPlan.organizationId, orgs.orgB)).returning(),
    );
    expect(deleted).toHaveLength(0);
    expect(await ownerPlans(orgs.orgB)).toHaveLength(2);
  });

  it("org A can update and delete its own research_plan", async () => {
    const updated = await asTenant(testDb.db, orgs.orgA, (tx) =>
      tx
        .update(researchPlan)
        .set({ title: "Renamed" })
        .where(eq(researchPlan.id, "plan_a2"))
        .returning({ id: researchPlan.id }),
    );
    expect(updated).toEqual([{ id: "plan_a2" }]);
    const deleted = await asTenant(testDb.db, orgs.orgA, (tx) =>
      tx
        .delete(researchPlan)
        .where(eq(researchPlan.id, "plan_a2"))
        .returning({ id: researchPlan.id }),
    );
    expect(deleted).toEqual([{ id: "plan_a2" }]);
    expect((await ownerPlans(orgs.orgA)).map((p) => p.id)).toEqual(["plan_a1"]);
  });

  it("cannot see any row without a tenant setting", async () => {
    const visible = await testDb.db.transaction(async (tx) => {
      await tx.execute(sql`set local role authenticated`);
      return tx.select({ id: researchPlan.id }).from(researchPlan);
    });
    expect(visible).toHaveLength(0);
    expect(
      (await ownerPlans(orgs.orgA)).length + (await ownerPlans(orgs.orgB)).length,
    ).toBeGreaterThan(0);
  });
});
