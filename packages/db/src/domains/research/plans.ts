import { and, desc, eq, max, sql } from "drizzle-orm";
import type { Transaction } from "../../connection/client";
import { errorCode } from "../../connection/errors";
import { researchPlan, researchStep } from "../../schema";
import type { NewResearchPlan, NewResearchStep, ResearchPlan } from "../../schema/research";
import { MAX_STEP_POSITION } from "../../zod/research";
import { DomainError, isPossibleId, notFound } from "../errors";

// Research plans and their steps, for apps to run inside one tenant unit. Functions that are
// one statement return the query without running it: a unit that returns it directly, as in
// `withTenantContext(ctx, (tx) => getPlan(tx, id))`, is one round trip. RLS limits every
// query to the unit's organization; none filters by it itself.

/** Keyset position: created_at (microseconds, UTC) and id of the last row of a page. */
export interface PlanCursor {
  createdAt: string;
  id: string;
}

export interface PlanPageRequest {
  limit: number;
  cursor?: PlanCursor | undefined;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * A cursor time that is a real instant: Date would roll 30 February into March and 24:00 into
 * the next day, so the value must come back unchanged; and Postgres has no year 0.
 */
function isCursorTime(value: string): boolean {
  if (!CURSOR_TIME.test(value) || value.startsWith("0000")) return false;
  const millis = `${value.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.toISOString() === millis;
}

/** The opaque `nextCursor` a page hands out. */
export const encodePlanCursor = (cursor: PlanCursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");

/** The cursor inside a `nextCursor`, or undefined when it is not one this code made. */
export function decodePlanCursor(value: string): PlanCursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === "string" &&
      isCursorTime(parsed[0]) &&
      typeof parsed[1] === "string" &&
      isPossibleId(parsed[1])
    ) {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // Not base64url JSON.
  }
  return undefined;
}

// created_at as fixed-format UTC text with microseconds: a JS Date would drop them and the
// next page would repeat or skip rows created in the same millisecond.
const createdAtText = sql<string>`to_char(${researchPlan.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One page of plans, newest first (one row more than `limit`: shape it with toPlanPage). */
export function listPlans(tx: Transaction, page: PlanPageRequest) {
  return tx
    .select({ plan: researchPlan, createdAtText })
    .from(researchPlan)
    .where(
      page.cursor
        ? sql`(${researchPlan.createdAt}, ${researchPlan.id}) < (${page.cursor.createdAt}::timestamptz, ${page.cursor.id})`
        : undefined,
    )
    .orderBy(desc(researchPlan.createdAt), desc(researchPlan.id))
    .limit(page.limit + 1);
}

export interface PlanPage {
  data: ResearchPlan[];
  nextCursor: string | null;
}

/** The page listPlans' rows make: at most `limit` plans and the cursor of the next. */
export function toPlanPage(
  rows: readonly { plan: ResearchPlan; createdAtText: string }[],
  page: PlanPageRequest,
): PlanPage {
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => row.plan),
    nextCursor:
      rows.length > page.limit && last
        ? encodePlanCursor({ createdAt: last.createdAtText, id: last.plan.id })
        : null,
  };
}

/** The plan with this id, as a list of zero or one. */
export function getPlan(tx: Transaction, id: string) {
  return tx.select().from(researchPlan).where(eq(researchPlan.id, id));
}

/** The plan with this id and its steps in order, in one statement; undefined if none. */
export function getPlanWithSteps(tx: Transaction, id: string) {
  return tx.query.researchPlan.findFirst({
    where: eq(researchPlan.id, id),
    with: { steps: { orderBy: researchStep.position } },
  });
}

export type NewPlanInput = Pick<NewResearchPlan, "title" | "objective" | "status" | "metadata">;

/** Creates a plan of `organizationId` by `userId` (completed_at set when it starts completed). */
export function createPlan(
  tx: Transaction,
  owner: { organizationId: string; userId: string },
  input: NewPlanInput,
) {
  return tx
    .insert(researchPlan)
    .values({
      ...input,
      organizationId: owner.organizationId,
      createdById: owner.userId,
      completedAt: input.status === "completed" ? new Date() : null,
    })
    .returning();
}

/** Sets a plan's status (and completed_at with it); the updated plan, or none. */
export function setPlanStatus(tx: Transaction, id: string, status: ResearchPlan["status"]) {
  return tx
    .update(researchPlan)
    .set({ status, completedAt: status === "completed" ? new Date() : null })
    .where(eq(researchPlan.id, id))
    .returning();
}

/** Deletes a plan and, by cascade, its steps; the deleted id, or none. */
export function deletePlan(tx: Transaction, id: string) {
  return tx.delete(researchPlan).where(eq(researchPlan.id, id)).returning({ id: researchPlan.id });
}

/**
 * A plan's steps in order, in one statement: no row means no plan (RLS included), a null step
 * a plan without steps. Shape with toSteps.
 */
export function listSteps(tx: Transaction, planId: string) {
  return (
    tx
      .select({ step: researchStep })
      .from(researchPlan)
      // Joined on organization_id too: Citus joins distributed tables on their distribution column.
      .leftJoin(
        researchStep,
        and(
          eq(researchStep.organizationId, researchPlan.organizationId),
          eq(researchStep.planId, researchPlan.id),
        ),
      )
      .where(eq(researchPlan.id, planId))
      .orderBy(researchStep.position)
  );
}

/** listSteps' rows as the steps, or undefined when the plan does not exist. */
export function toSteps<S>(rows: readonly { step: S | null }[]): S[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.flatMap((row) => (row.step ? [row.step] : []));
}

export type NewStepInput = Pick<NewResearchStep, "title" | "instructions" | "status"> & {
  position?: number | undefined;
};

/**
 * Adds a step to a plan of the unit's organization: at `position`, or after the last one.
 * DomainError not_found when the plan does not exist (or is deleted meanwhile), conflict when
 * the last position is already the largest allowed.
 */
export async function addStep(
  tx: Transaction,
  organizationId: string,
  planId: string,
  input: NewStepInput,
) {
  const [plan] = await getPlan(tx, planId);
  if (!plan) throw notFound("Plan");
  let position = input.position;
  if (position === undefined) {
    const [last] = await tx
      .select({ position: max(researchStep.position) })
      .from(researchStep)
      .where(eq(researchStep.planId, planId));
    // In JS, not SQL: a max at integer's top (a row from before the bound) cannot overflow.
    const top = last?.position ?? 0;
    if (top >= MAX_STEP_POSITION) {
      throw new DomainError(
        "conflict",
        `The plan's last step is at position ${top} and positions go up to ${MAX_STEP_POSITION}: send a free position.`,
      );
    }
    position = top + 1;
  }
  try {
    const [created] = await tx
      .insert(researchStep)
      .values({ ...input, position, organizationId, planId })
      .returning();
    if (!created) throw new Error("INSERT ... RETURNING returned no step");
    return created;
  } catch (error) {
    // The plan was deleted since (foreign key): as if it never existed.
    if (errorCode(error) === "23503") throw notFound("Plan");
    throw error;
  }
}
