import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../client";
import { env } from "../env";
import { rows } from "../rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenant";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// Apps connect as app_runtime: outside withTenantContext it can do nothing at all.
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

const denied = (promise: Promise<unknown>) =>
  promise.then(
    () => "allowed",
    (error) => rootCause(error).message,
  );

describe("the runtime role app_runtime", () => {
  it("is not a superuser, cannot bypass RLS and inherits nothing", async () => {
    const [me] = await rows<Record<string, unknown>>(
      testDb.app,
      sql`select current_user as "user", rolsuper as super, rolbypassrls as bypass, rolinherit as inherit
          from pg_roles where rolname = current_user`,
    );
    expect(me).toEqual({ user: "app_runtime", super: false, bypass: false, inherit: false });
  });

  it("cannot read a tenant table outside withTenantContext", async () => {
    expect(await denied(testDb.app.select().from(researchPlan))).toBe(
      "permission denied for table research_plan",
    );
  });

  it("cannot write a tenant table outside withTenantContext", async () => {
    expect(
      await denied(
        testDb.app
          .insert(researchPlan)
          .values({ organizationId: "org_a", title: "x", objective: "x" }),
      ),
    ).toBe("permission denied for table research_plan");
    expect(await denied(testDb.app.delete(researchPlan))).toBe(
      "permission denied for table research_plan",
    );
    expect(await testDb.db.$count(researchPlan)).toBe(4);
  });

  it("cannot read global identity tables even inside a tenant context", async () => {
    const attempt = withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
      tx.execute(sql`select * from "user"`),
    );
    expect(await denied(attempt)).toBe("permission denied for table user");
  });

  it("can read only its organization's rows through withTenantContext", async () => {
    const visible = await withTenantContext(testDb.app, { organizationId: "org_b" }, (tx) =>
      tx.select({ org: researchPlan.organizationId }).from(researchPlan),
    );
    expect(visible).toEqual([{ org: "org_b" }, { org: "org_b" }]);
    expect(await testDb.db.$count(researchPlan, eq(researchPlan.organizationId, "org_a"))).toBe(2);
  });
});

// Without APP_DATABASE_URL, apps get the owner's URL with the runtime role as a startup
// parameter (connections.ts). RESET ROLE and DISCARD ALL come back to it, not to the owner.
describe.skipIf(!env().TEST_DATABASE_URL)(
  "the owner's URL with role app_runtime as a startup parameter (server)",
  () => {
    it("cannot read tenant tables outside withTenantContext, even after RESET ROLE or DISCARD ALL", async () => {
      const handle = createDatabase({ url: testDb.url!, max: 1, role: "app_runtime" });
      try {
        const [me] = await rows<{ role: string }>(handle.db, sql`select current_user as role`);
        expect(me?.role).toBe("app_runtime");
        expect(await denied(handle.db.select().from(researchPlan))).toBe(
          "permission denied for table research_plan",
        );
        await handle.db.execute(sql`reset role`);
        await handle.db.execute(sql`discard all`);
        const [after] = await rows<{ role: string }>(handle.db, sql`select current_user as role`);
        expect(after?.role).toBe("app_runtime");
        const visible = await withTenantContext(handle.db, { organizationId: "org_a" }, (tx) =>
          tx.select({ org: researchPlan.organizationId }).from(researchPlan),
        );
        expect(visible).toEqual([{ org: "org_a" }, { org: "org_a" }]);
      } finally {
        await handle.close();
      }
    });
  },
);
