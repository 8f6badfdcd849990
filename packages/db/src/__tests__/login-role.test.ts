import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "../client";
import { env } from "../env";
import { rows } from "../rows";
import { researchPlan } from "../schema";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// A superuser bypasses RLS, so the tests that matter connect as a login role that is not one.
let testDb: TestDatabase;
let login: DatabaseHandle | undefined;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
  if (testDb.loginUrl) login = createDatabase({ url: testDb.loginUrl, max: 2 });
});
afterAll(async () => {
  await login?.close();
  await testDb?.dispose();
});

describe.skipIf(!env().TEST_DATABASE_URL)(
  "the test login role (server providers; PGlite has no logins)",
  () => {
    it("is not a superuser and cannot bypass RLS", async () => {
      const [me] = await rows<{ user: string; super: boolean; bypass: boolean }>(
        login!.db,
        sql`select current_user as user, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user`,
      );
      expect(me).toEqual({ user: "repo_test_login", super: false, bypass: false });
    });

    it("cannot read a tenant table without taking the authenticated role", async () => {
      const error = await login!.db
        .select()
        .from(researchPlan)
        .catch((e) => rootCause(e));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe("permission denied for table research_plan");
    });

    it("can read only its organization's rows as authenticated with the tenant setting", async () => {
      const visible = await login!.db.transaction(async (tx) => {
        await tx.execute(
          sql`select set_config('app.current_organization_id', 'org_b', true), set_config('role', 'authenticated', true)`,
        );
        return tx.select({ org: researchPlan.organizationId }).from(researchPlan);
      });
      expect(visible).toEqual([{ org: "org_b" }, { org: "org_b" }]);
    });
  },
);
