import { and, type Database, desc, eq, max, schema, sql, type Transaction } from "@repo/db";
import {
  insertResearchPlanSchema,
  insertResearchStepSchema,
  MAX_STEP_POSITION,
  selectResearchPlanSchema,
} from "@repo/db/zod";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { ApiError, notFound, postgresCode } from "../errors";
import { idParam, isPossibleId } from "../params";
import { parseBody, parseQuery } from "../validation";

const { researchPlan, researchStep } = schema;

// Request bodies: the table's @repo/db/zod schema, narrowed to what a client may set.
// organizationId, createdById and timestamps come from the server; unknown keys are a 400.
const createPlanBody = z.strictObject(
  insertResearchPlanSchema.pick({ title: true, objective: true, status: true, metadata: true })
    .shape,
);
const updateStatusBody = z.strictObject(selectResearchPlanSchema.pick({ status: true }).shape);
const createStepBody = z.strictObject({
  ...insertResearchStepSchema.pick({ title: true, instructions: true, status: true }).shape,
  position: insertResearchStepSchema.shape.position.optional(),
});

/** Keyset position: created_at (microseconds, UTC) and id of the last row of a page. */
interface Cursor {
  createdAt: string;
  id: string;
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

const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");

function decodeCursor(value: string): Cursor | undefined {
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
    // Not base64url JSON: reported below.
  }
  return undefined;
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return undefined;
      const cursor = decodeCursor(value);
      if (!cursor) {
        ctx.issues.push({
          code: "custom",
          message: "Must be the nextCursor of a previous page",
          input: value,
        });
        return z.NEVER;
      }
      return cursor;
    }),
});

export type PlanPage = z.output<typeof listQuery>;

// created_at as fixed-format UTC text with microseconds: a JS Date would drop them and the
// next page would repeat or skip rows created in the same millisecond.
const createdAtText = sql<string>`to_char(${researchPlan.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One page of plans, newest first, as a query not yet run (a unit of one statement is one
 * round trip); shape its rows with planPage. In a tenant transaction RLS limits it to the
 * caller's organization; `organizationId` adds the same filter explicitly (for connections
 * that bypass RLS, such as the benchmark's baseline).
 */
export function planPageQuery(db: Database | Transaction, page: PlanPage, organizationId?: string) {
  return db
    .select({ plan: researchPlan, createdAtText })
    .from(researchPlan)
    .where(
      and(
        organizationId === undefined ? undefined : eq(researchPlan.organizationId, organizationId),
        page.cursor
          ? sql`(${researchPlan.createdAt}, ${researchPlan.id}) < (${page.cursor.createdAt}::timestamptz, ${page.cursor.id})`
          : undefined,
      ),
    )
    .orderBy(desc(researchPlan.createdAt), desc(researchPlan.id))
    .limit(page.limit + 1);
}

/** The page planPageQuery's rows make: at most `limit` plans and the cursor of the next. */
export function planPage(rows: Awaited<ReturnType<typeof planPageQuery>>, page: PlanPage) {
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => row.plan),
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor({ createdAt: last.createdAtText, id: last.plan.id })
        : null,
  };
}

async function findPlan(tx: Transaction, id: string) {
  const [plan] = await tx.select().from(researchPlan).where(eq(researchPlan.id, id));
  if (!plan) throw notFound();
  return plan;
}

export const researchRoutes = new Hono<AppEnv>()
  .get("/plans", async (c) => {
    const page = parseQuery(c, listQuery);
    return c.json(planPage(await c.var.tenant((tx) => planPageQuery(tx, page)), page));
  })
  .post("/plans", async (c) => {
    const body = await parseBody(c, createPlanBody);
    const { organizationId, userId } = c.var.caller;
    const [plan] = await c.var.tenant((tx) =>
      tx
        .insert(researchPlan)
        .values({
          ...body,
          organizationId,
          createdById: userId,
          completedAt: body.status === "completed" ? new Date() : null,
        })
        .returning(),
    );
    return c.json({ data: plan }, 201);
  })
  .get("/plans/:id", async (c) => {
    const id = idParam(c);
    const [plan] = await c.var.tenant((tx) =>
      tx.select().from(researchPlan).where(eq(researchPlan.id, id)),
    );
    if (!plan) throw notFound();
    return c.json({ data: plan });
  })
  .patch("/plans/:id/status", async (c) => {
    const id = idParam(c);
    const { status } = await parseBody(c, updateStatusBody);
    const [plan] = await c.var.tenant((tx) =>
      tx
        .update(researchPlan)
        .set({ status, completedAt: status === "completed" ? new Date() : null })
        .where(eq(researchPlan.id, id))
        .returning(),
    );
    if (!plan) throw notFound();
    return c.json({ data: plan });
  })
  .delete("/plans/:id", async (c) => {
    const id = idParam(c);
    const deleted = await c.var.tenant((tx) =>
      tx.delete(researchPlan).where(eq(researchPlan.id, id)).returning({ id: researchPlan.id }),
    );
    if (!deleted.length) throw notFound();
    return c.body(null, 204);
  })
  .get("/plans/:id/steps", async (c) => {
    const id = idParam(c);
    // One statement: no row means no plan (RLS included), a null step a plan without steps.
    const rows = await c.var.tenant((tx) =>
      tx
        .select({ step: researchStep })
        .from(researchPlan)
        .leftJoin(researchStep, eq(researchStep.planId, researchPlan.id))
        .where(eq(researchPlan.id, id))
        .orderBy(researchStep.position),
    );
    if (rows.length === 0) throw notFound();
    return c.json({ data: rows.flatMap((row) => (row.step ? [row.step] : [])) });
  })
  .post("/plans/:id/steps", async (c) => {
    const id = idParam(c);
    const body = await parseBody(c, createStepBody);
    const { organizationId } = c.var.caller;
    const step = await c.var.tenant(async (tx) => {
      await findPlan(tx, id);
      let position = body.position;
      if (position === undefined) {
        const [last] = await tx
          .select({ position: max(researchStep.position) })
          .from(researchStep)
          .where(eq(researchStep.planId, id));
        // In JS, not SQL: a max at integer's top (a row from before the bound) cannot overflow.
        const top = last?.position ?? 0;
        if (top >= MAX_STEP_POSITION) {
          throw new ApiError(
            409,
            "conflict",
            `The plan's last step is at position ${top} and positions go up to ${MAX_STEP_POSITION}: send a free position.`,
          );
        }
        position = top + 1;
      }
      try {
        const [created] = await tx
          .insert(researchStep)
          .values({ ...body, position, organizationId, planId: id })
          .returning();
        return created;
      } catch (error) {
        // The plan was deleted since findPlan (foreign key): as if it never existed.
        if (postgresCode(error) === "23503") throw notFound();
        throw error;
      }
    });
    return c.json({ data: step }, 201);
  });
