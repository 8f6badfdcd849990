import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../connection/env";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import { createTestDatabase, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// Behind PgBouncer >= 1.21 with max_prepared_statements, the app keeps prepared statements on:
// the pooler prepares each client statement again, under its own name (PGBOUNCER_<n>), on
// whichever server connection serves the transaction. Only the modern pooled pass of ci:check
// sets both variables. (postgres.js sends a statement without parameters as a simple query,
// never prepared: the statements below carry one.)
const modernPooler = Boolean(env().TEST_POOLER_URL) && env().DB_PREPARED_STATEMENTS;

let testDb: TestDatabase;

beforeAll(async () => {
  if (!modernPooler) return;
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

const plansOf = (organizationId: string) =>
  withTenantContext(testDb.app, { organizationId }, (tx) =>
    tx
      .select({ id: researchPlan.id })
      .from(researchPlan)
      .where(eq(researchPlan.organizationId, organizationId)),
  );

describe.skipIf(!modernPooler)("prepared statements through a pooler that keeps them", () => {
  it("can run one prepared statement in many concurrent transactions without losing it", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => plansOf("org_a")));
    for (const plans of results) expect(plans).toHaveLength(2);
  });

  it("can see the unit's statement prepared under the pooler's name on the server connection", async () => {
    await plansOf("org_a");
    const prepared = await withTenantContext(
      testDb.app,
      { organizationId: "org_a" },
      async (tx) => {
        await tx
          .select({ id: researchPlan.id })
          .from(researchPlan)
          .where(eq(researchPlan.organizationId, "org_a"));
        return rows<{ name: string; statement: string }>(
          tx,
          sql`select name, statement from pg_prepared_statements where statement like ${'%"research_plan"%'}`,
        );
      },
    );
    expect(prepared.length).toBeGreaterThan(0);
    for (const statement of prepared) expect(statement.name).toMatch(/^PGBOUNCER_\d+$/);
  });
});
