import { type Database, type PlanPageRequest, toPlanPage } from "@repo/db";
import { desc, eq, schema, sql } from "@repo/db/sql";

const { researchPlan } = schema;

/**
 * The baseline the benchmarks compare the tenant route with: listPlans' page as the owner
 * would read it without RLS, the organization filtered explicitly.
 */
export async function ownerPlanPage(db: Database, organizationId: string, page: PlanPageRequest) {
  const rows = await db
    .select({
      plan: researchPlan,
      createdAtText: sql<string>`to_char(${researchPlan.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(researchPlan)
    .where(eq(researchPlan.organizationId, organizationId))
    .orderBy(desc(researchPlan.createdAt), desc(researchPlan.id))
    .limit(page.limit + 1);
  return toPlanPage(rows, page);
}
