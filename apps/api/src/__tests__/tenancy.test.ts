import { count, eq, rows, schema, sql } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, startTestApi, type TestApi } from "./harness";

let api: TestApi;
let acme: ApiClient;

beforeAll(async () => {
  api = await startTestApi();
  acme = api.client(api.tokens.acme);
});
afterAll(async () => {
  await api?.close();
});

const { researchPlan, researchStep } = schema;

async function planRow(id: string) {
  const [row] = await api.db.select().from(researchPlan).where(eq(researchPlan.id, id));
  return row;
}

describe("another organization's rows by id", () => {
  it("cannot get another organization's plan: 404, the same answer as a missing id", async () => {
    const plan = acme.v1.research.plans[":id"];
    const theirs = await plan.$get({ param: { id: "plan_globex_1" } });
    const missing = await plan.$get({ param: { id: "plan_nowhere" } });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    const body = await theirs.json();
    expect(body).toEqual(await missing.json());
    expect(body).toMatchObject({ error: { code: "not_found" } });
    // The row exists: RLS hid it.
    expect(await planRow("plan_globex_1")).toBeDefined();
  });

  it("cannot update another organization's plan status, and the row is unchanged", async () => {
    const before = await planRow("plan_globex_1");
    const response = await acme.v1.research.plans[":id"].status.$patch({
      param: { id: "plan_globex_1" },
      json: { status: "canceled" },
    });
    expect(response.status).toBe(404);
    expect(await planRow("plan_globex_1")).toEqual(before);
  });

  it("cannot delete another organization's plan, and the row remains", async () => {
    const response = await acme.v1.research.plans[":id"].$delete({
      param: { id: "plan_initech_2" },
    });
    expect(response.status).toBe(404);
    expect(await planRow("plan_initech_2")).toBeDefined();
  });

  it("cannot list or add steps under another organization's plan", async () => {
    const steps = () =>
      api.db
        .select({ n: count() })
        .from(researchStep)
        .where(eq(researchStep.planId, "plan_globex_2"));
    const [before] = await steps();
    const planSteps = acme.v1.research.plans[":id"].steps;
    const list = await planSteps.$get({ param: { id: "plan_globex_2" } });
    const add = await planSteps.$post({
      param: { id: "plan_globex_2" },
      json: { title: "Planted step" },
    });
    expect([list.status, add.status]).toEqual([404, 404]);
    expect(await steps()).toEqual([before]);
  });

  it("cannot read another organization's document", async () => {
    const response = await acme.v1.documents[":id"].$get({ param: { id: "document_globex_1" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("its own plans", () => {
  it("can create, read, complete, add steps to and delete its own plan", async () => {
    const plans = acme.v1.research.plans;
    const created = await plans.$post({
      json: { title: "Sodium-ion outlook", objective: "Compare with LFP", metadata: { p: 1 } },
    });
    if (created.status !== 201) throw new Error(`POST answered ${created.status}`);
    const { data: plan } = await created.json();
    expect(plan).toMatchObject({
      organizationId: "org_acme",
      createdById: "user_acme_1",
      status: "draft",
      completedAt: null,
    });

    const param = { id: plan.id };
    const read = await plans[":id"].$get({ param });
    if (read.status !== 200) throw new Error(`GET answered ${read.status}`);
    expect((await read.json()).data).toEqual(plan);

    const completed = await plans[":id"].status.$patch({ param, json: { status: "completed" } });
    if (completed.status !== 200) throw new Error(`PATCH answered ${completed.status}`);
    const { data: done } = await completed.json();
    expect(done.status).toBe("completed");
    expect(done.completedAt).not.toBeNull();

    for (const title of ["Collect", "Compare"]) {
      const step = await plans[":id"].steps.$post({ param, json: { title } });
      if (step.status !== 201) throw new Error(`POST steps answered ${step.status}`);
      expect((await step.json()).data.organizationId).toBe("org_acme");
    }
    const steps = await plans[":id"].steps.$get({ param });
    if (steps.status !== 200) throw new Error(`GET steps answered ${steps.status}`);
    expect((await steps.json()).data.map((s) => [s.position, s.title])).toEqual([
      [1, "Collect"],
      [2, "Compare"],
    ]);

    const deleted = await plans[":id"].$delete({ param });
    expect(deleted.status).toBe(204);
    expect((await plans[":id"].$get({ param })).status).toBe(404);
    // Its steps went with it (ON DELETE CASCADE).
    expect(
      await api.db.select().from(researchStep).where(eq(researchStep.planId, plan.id)),
    ).toEqual([]);
  });

  it("can page through its plans newest first, each exactly once, ties on created_at included", async () => {
    // Three plans at the same microsecond: only the id orders them. A Date holds
    // milliseconds; the update adds the microseconds (a constant: Citus refuses a
    // timestamptz expression over a column in an UPDATE).
    const instant = new Date("2026-02-01T12:00:00.123Z");
    await api.db.insert(researchPlan).values(
      ["tie_a", "tie_b", "tie_c"].map((id) => ({
        id,
        organizationId: "org_acme",
        title: id,
        objective: "Tie on created_at",
        createdAt: instant,
        updatedAt: instant,
      })),
    );
    await api.db.execute(
      sql`update research_plan set created_at = '2026-02-01 12:00:00.123007+00' where id like 'tie_%'`,
    );

    const seen: { id: string; organizationId: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await acme.v1.research.plans.$get({
        query: { limit: "2", ...(cursor ? { cursor } : {}) },
      });
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      const page = await response.json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);

    const expected = await rows<{ id: string }>(
      api.db,
      sql`select id from research_plan where organization_id = 'org_acme' order by created_at desc, id desc`,
    );
    expect(seen.map((plan) => plan.id)).toEqual(expected.map((row) => row.id));
    expect(new Set(seen.map((plan) => plan.organizationId))).toEqual(new Set(["org_acme"]));
  });
});
