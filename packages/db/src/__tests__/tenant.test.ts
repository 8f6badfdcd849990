import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Transaction } from "../connection/client";
import { errorCode, ReadOnlyUnitError } from "../connection/errors";
import { rows } from "../connection/rows";
import { researchArtifact, researchPlan, researchStep } from "../schema";
import { TenantContextError, withTenantContext } from "../tenancy/context";
import { createTestDatabase, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

const settings = (tx: Transaction) =>
  rows<{ role: string; org: string; user: string }>(
    tx,
    sql`select current_user as role, current_setting('app.current_organization_id', true) as org,
               current_setting('app.current_user_id', true) as user`,
  );

describe("withTenantContext", () => {
  it("can run fn as authenticated with the organization and user set", async () => {
    const [inside] = await withTenantContext(
      testDb.app,
      { organizationId: "org_a", userId: "user_a" },
      settings,
    );
    expect(inside).toEqual({ role: "authenticated", org: "org_a", user: "user_a" });
  });

  it("cannot start without a valid organizationId, and fails before any I/O", async () => {
    // A server nobody listens on: any I/O would fail with another error than TenantContextError.
    const nowhere = createDatabase({ url: "postgres://nobody@127.0.0.1:9/none", max: 1 });
    const closed = nowhere.db;
    const bad: unknown[] = [undefined, null, "", "   ", "\t\n", 42, {}, ["org_a"], "org\0a"];
    for (const organizationId of bad) {
      const attempt = withTenantContext(closed, { organizationId } as never, async () => "ran");
      await expect(attempt, JSON.stringify(organizationId)).rejects.toBeInstanceOf(
        TenantContextError,
      );
      await expect(attempt).rejects.toMatchObject({ code: "invalid_organization" });
    }
    await expect(withTenantContext(closed, null as never, async () => "ran")).rejects.toThrow(
      "withTenantContext needs an organizationId",
    );
    await expect(
      withTenantContext(closed, { organizationId: "org_a", userId: " " }, async () => "ran"),
    ).rejects.toMatchObject({ code: "invalid_user" });
    await nowhere.close();
  });

  it("can bind hostile values as parameters: they are compared, never interpreted", async () => {
    const hostile = "' OR 1=1 --";
    const result = await withTenantContext(testDb.app, { organizationId: hostile }, async (tx) => ({
      settings: await settings(tx),
      plans: await tx.select().from(researchPlan),
    }));
    expect(result.settings[0]?.org).toBe(hostile);
    expect(result.plans).toEqual([]);
    expect(await testDb.db.$count(researchPlan)).toBe(4);
  });

  it("can commit fn's writes when it resolves", async () => {
    await withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
      tx
        .insert(researchPlan)
        .values({ id: "plan_commit", organizationId: "org_a", title: "t", objective: "o" }),
    );
    expect(await testDb.db.$count(researchPlan, eq(researchPlan.id, "plan_commit"))).toBe(1);
  });

  it("cannot write in a readOnly unit: ReadOnlyUnitError (25006) and nothing stored", async () => {
    const write = withTenantContext(
      testDb.app,
      { organizationId: "org_a" },
      (tx) =>
        tx
          .insert(researchPlan)
          .values({ id: "ro_write", organizationId: "org_a", title: "t", objective: "o" }),
      { readOnly: true },
    );
    const error = await write.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadOnlyUnitError);
    expect(errorCode(error)).toBe("25006");
    const stored = await testDb.db
      .select()
      .from(researchPlan)
      .where(eq(researchPlan.id, "ro_write"));
    expect(stored).toEqual([]);
  });

  it("can read in a readOnly unit, as authenticated with the tenant's settings", async () => {
    const [inside] = await withTenantContext(
      testDb.app,
      { organizationId: "org_a", userId: "user_a" },
      (tx) =>
        rows<{ role: string; org: string; readOnly: string }>(
          tx,
          sql`select current_user as role, current_setting('app.current_organization_id') as org,
                     current_setting('transaction_read_only') as "readOnly"`,
        ),
      { readOnly: true },
    );
    expect(inside).toEqual({ role: "authenticated", org: "org_a", readOnly: "on" });
  });

  it("cannot keep fn's writes when it throws: the transaction rolls back", async () => {
    const attempt = withTenantContext(testDb.app, { organizationId: "org_a" }, async (tx) => {
      await tx
        .insert(researchPlan)
        .values({ id: "plan_rollback", organizationId: "org_a", title: "t", objective: "o" });
      throw new Error("boom");
    });
    await expect(attempt).rejects.toThrow("boom");
    expect(await testDb.db.$count(researchPlan, eq(researchPlan.id, "plan_rollback"))).toBe(0);
  });

  it("can nest for the same organization: the inner call reuses the transaction", async () => {
    await withTenantContext(testDb.app, { organizationId: "org_a" }, async (outer) => {
      const [outerTx] = await rows<{ id: string }>(outer, sql`select txid_current()::text as id`);
      await withTenantContext({ organizationId: "org_a" }, async (inner) => {
        expect(inner).toBe(outer);
        const [innerTx] = await rows<{ id: string }>(inner, sql`select txid_current()::text as id`);
        expect(innerTx?.id).toBe(outerTx?.id);
      });
    });
  });

  it("cannot nest for another organization", async () => {
    const attempt = withTenantContext(testDb.app, { organizationId: "org_a" }, () =>
      withTenantContext({ organizationId: "org_b" }, async () => "leaked"),
    );
    await expect(attempt).rejects.toMatchObject({
      name: "TenantContextError",
      code: "conflicting_context",
    });
  });

  it("leaves the session as it found it: role and settings are transaction-local", async () => {
    await withTenantContext(testDb.app, { organizationId: "org_a", userId: "user_a" }, settings);
    // On PGlite (one session) this reads the very session the context used; on a server pool
    // the soak test checks every connection.
    const [after] = await rows<{ role: string; org: string | null; user: string | null }>(
      testDb.app,
      sql`select current_user as role, nullif(current_setting('app.current_organization_id', true), '') as org,
                 nullif(current_setting('app.current_user_id', true), '') as user`,
    );
    expect(after).toEqual({ role: "app_runtime", org: null, user: null });
  });
});

// Same-tenant foreign keys (schema/base.ts sameTenant, migration 0010) carry ON DELETE: CASCADE,
// or SET NULL (column), which clears the reference and never organization_id.
describe("references between tenant tables", () => {
  it("can delete a step: its artifact stays, step_id cleared, organization_id kept; deleting the plan cascades", async () => {
    const org = "org_a";
    const left = await withTenantContext(testDb.app, { organizationId: org }, async (tx) => {
      await tx
        .insert(researchPlan)
        .values({ id: "fk_plan", organizationId: org, title: "t", objective: "o" });
      await tx
        .insert(researchStep)
        .values({ id: "fk_step", organizationId: org, planId: "fk_plan", position: 1, title: "s" });
      await tx.insert(researchArtifact).values({
        id: "fk_artifact",
        organizationId: org,
        planId: "fk_plan",
        stepId: "fk_step",
        kind: "note",
        title: "a",
      });
      await tx.delete(researchStep).where(eq(researchStep.id, "fk_step"));
      return tx
        .select({ org: researchArtifact.organizationId, stepId: researchArtifact.stepId })
        .from(researchArtifact)
        .where(eq(researchArtifact.id, "fk_artifact"));
    });
    expect(left).toEqual([{ org, stepId: null }]);
    const gone = await withTenantContext(testDb.app, { organizationId: org }, async (tx) => {
      await tx.delete(researchPlan).where(eq(researchPlan.id, "fk_plan"));
      return tx.$count(researchArtifact, eq(researchArtifact.id, "fk_artifact"));
    });
    expect(gone).toBe(0);
  });
});
