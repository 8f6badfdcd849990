import { createRoute, z } from "@hono/zod-openapi";
import {
  addStep,
  createPlan,
  decodePlanCursor,
  deletePlan,
  getPlan,
  listPlans,
  listSteps,
  setPlanStatus,
  toPlanPage,
  toSteps,
} from "@repo/db";
import {
  insertResearchPlanSchema,
  insertResearchStepSchema,
  selectResearchPlanSchema,
  selectResearchStepSchema,
} from "@repo/db/zod";
import { notFound } from "../errors";
import {
  bearer,
  commonErrors,
  component,
  conflictResponse,
  IdParams,
  json,
  jsonBody,
  notFoundResponse,
  pathId,
  router,
} from "../openapi";

// Request bodies: the table's @repo/db/zod schema, narrowed to what a client may set.
// organizationId, createdById and timestamps come from the server; unknown keys are a 400.
const CreatePlanBody = z
  .strictObject(
    insertResearchPlanSchema.pick({ title: true, objective: true, status: true, metadata: true })
      .shape,
  )
  .openapi("CreatePlan");
const UpdateStatusBody = z
  .strictObject(selectResearchPlanSchema.pick({ status: true }).shape)
  .openapi("UpdatePlanStatus");
const CreateStepBody = z
  .strictObject({
    ...insertResearchStepSchema.pick({ title: true, instructions: true, status: true }).shape,
    position: insertResearchStepSchema.shape.position.optional(),
  })
  .openapi("CreateStep");

const Plan = component("ResearchPlan", selectResearchPlanSchema);
const Step = component("ResearchStep", selectResearchStepSchema);

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === "") return undefined;
      const cursor = decodePlanCursor(value);
      if (!cursor) {
        ctx.issues.push({
          code: "custom",
          message: "Must be the nextCursor of a previous page",
          input: value,
        });
        return z.NEVER;
      }
      return cursor;
    })
    .openapi({ description: "The `nextCursor` of the previous page.", type: "string" }),
});

const tags = ["Research plans"];

const listPlansRoute = createRoute({
  method: "get",
  path: "/plans",
  tags,
  summary: "List plans, newest first",
  security: bearer,
  request: { query: ListQuery },
  responses: {
    200: json(
      z.object({ data: z.array(Plan), nextCursor: z.string().nullable() }),
      "A page of plans and the cursor of the next (null on the last).",
    ),
    ...commonErrors,
  },
});

const createPlanRoute = createRoute({
  method: "post",
  path: "/plans",
  tags,
  summary: "Create a plan",
  security: bearer,
  request: { body: jsonBody(CreatePlanBody) },
  responses: { 201: json(z.object({ data: Plan }), "The plan."), ...commonErrors },
});

const getPlanRoute = createRoute({
  method: "get",
  path: "/plans/{id}",
  tags,
  summary: "Get a plan",
  security: bearer,
  request: { params: IdParams },
  responses: {
    200: json(z.object({ data: Plan }), "The plan."),
    404: notFoundResponse,
    ...commonErrors,
  },
});

const setStatusRoute = createRoute({
  method: "patch",
  path: "/plans/{id}/status",
  tags,
  summary: "Set a plan's status",
  security: bearer,
  request: { params: IdParams, body: jsonBody(UpdateStatusBody) },
  responses: {
    200: json(z.object({ data: Plan }), "The updated plan."),
    404: notFoundResponse,
    ...commonErrors,
  },
});

const deletePlanRoute = createRoute({
  method: "delete",
  path: "/plans/{id}",
  tags,
  summary: "Delete a plan and its steps",
  security: bearer,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted." }, 404: notFoundResponse, ...commonErrors },
});

const listStepsRoute = createRoute({
  method: "get",
  path: "/plans/{id}/steps",
  tags,
  summary: "List a plan's steps in order",
  security: bearer,
  request: { params: IdParams },
  responses: {
    200: json(z.object({ data: z.array(Step) }), "The steps."),
    404: notFoundResponse,
    ...commonErrors,
  },
});

const addStepRoute = createRoute({
  method: "post",
  path: "/plans/{id}/steps",
  tags,
  summary: "Add a step (after the last one unless `position` is given)",
  security: bearer,
  request: { params: IdParams, body: jsonBody(CreateStepBody) },
  responses: {
    201: json(z.object({ data: Step }), "The step."),
    404: notFoundResponse,
    409: conflictResponse,
    ...commonErrors,
  },
});

export const researchRoutes = router()
  .openapi(listPlansRoute, async (c) => {
    const page = c.req.valid("query");
    return c.json(toPlanPage(await c.var.tenant((tx) => listPlans(tx, page)), page), 200);
  })
  .openapi(createPlanRoute, async (c) => {
    const input = c.req.valid("json");
    const [plan] = await c.var.tenant((tx) => createPlan(tx, c.var.caller, input));
    if (!plan) throw new Error("INSERT ... RETURNING returned no plan");
    return c.json({ data: plan }, 201);
  })
  .openapi(getPlanRoute, async (c) => {
    const id = pathId(c.req.valid("param").id);
    const [plan] = await c.var.tenant((tx) => getPlan(tx, id));
    if (!plan) throw notFound();
    return c.json({ data: plan }, 200);
  })
  .openapi(setStatusRoute, async (c) => {
    const id = pathId(c.req.valid("param").id);
    const { status } = c.req.valid("json");
    const [plan] = await c.var.tenant((tx) => setPlanStatus(tx, id, status));
    if (!plan) throw notFound();
    return c.json({ data: plan }, 200);
  })
  .openapi(deletePlanRoute, async (c) => {
    const id = pathId(c.req.valid("param").id);
    const deleted = await c.var.tenant((tx) => deletePlan(tx, id));
    if (!deleted.length) throw notFound();
    return c.body(null, 204);
  })
  .openapi(listStepsRoute, async (c) => {
    const id = pathId(c.req.valid("param").id);
    const steps = toSteps(await c.var.tenant((tx) => listSteps(tx, id)));
    if (!steps) throw notFound();
    return c.json({ data: steps }, 200);
  })
  .openapi(addStepRoute, async (c) => {
    const id = pathId(c.req.valid("param").id);
    const input = c.req.valid("json");
    const { organizationId } = c.var.caller;
    const step = await c.var.tenant((tx) => addStep(tx, organizationId, id, input));
    return c.json({ data: step }, 201);
  });
