import { count, eq, rows, schema, sql } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Data,
  type ErrorBody,
  type Page,
  type PlanJson,
  startTestApi,
  type TestApi,
} from "./harness";

let api: TestApi;
let acme: string;

beforeAll(async () => {
  api = await startTestApi();
  acme = api.tokens.acme;
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
    const theirs = await api.request<ErrorBody>("/v1/research/plans/plan_globex_1", {
      token: acme,
    });
    const missing = await api.request<ErrorBody>("/v1/research/plans/plan_nowhere", {
      token: acme,
    });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body).toEqual(missing.body);
    expect(theirs.body.error.code).toBe("not_found");
    // The row exists: RLS hid it.
    expect(await planRow("plan_globex_1")).toBeDefined();
  });

  it("cannot update another organization's plan status, and the row is unchanged", async () => {
    const before = await planRow("plan_globex_1");
    const response = await api.request<ErrorBody>("/v1/research/plans/plan_globex_1/status", {
      token: acme,
      method: "PATCH",
      body: { status: "canceled" },
    });
    expect(response.status).toBe(404);
    expect(await planRow("plan_globex_1")).toEqual(before);
  });

  it("cannot delete another organization's plan, and the row remains", async () => {
    const response = await api.request<ErrorBody>("/v1/research/plans/plan_initech_2", {
      token: acme,
      method: "DELETE",
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
    const list = await api.request<ErrorBody>("/v1/research/plans/plan_globex_2/steps", {
      token: acme,
    });
    const add = await api.request<ErrorBody>("/v1/research/plans/plan_globex_2/steps", {
      token: acme,
      method: "POST",
      body: { title: "Planted step" },
    });
    expect([list.status, add.status]).toEqual([404, 404]);
    expect(await steps()).toEqual([before]);
  });

  it("cannot read another organization's document", async () => {
    const response = await api.request<ErrorBody>("/v1/documents/document_globex_1", {
      token: acme,
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });
});

describe("its own plans", () => {
  it("can create, read, complete, add steps to and delete its own plan", async () => {
    const created = await api.request<Data<PlanJson>>("/v1/research/plans", {
      token: acme,
      method: "POST",
      body: { title: "Sodium-ion outlook", objective: "Compare with LFP", metadata: { p: 1 } },
    });
    expect(created.status).toBe(201);
    const plan = created.body.data;
    expect(plan).toMatchObject({
      organizationId: "org_acme",
      createdById: "user_acme_1",
      status: "draft",
      completedAt: null,
    });

    const read = await api.request<Data<PlanJson>>(`/v1/research/plans/${plan.id}`, {
      token: acme,
    });
    expect(read.body.data).toEqual(plan);

    const completed = await api.request<Data<PlanJson>>(`/v1/research/plans/${plan.id}/status`, {
      token: acme,
      method: "PATCH",
      body: { status: "completed" },
    });
    expect(completed.status).toBe(200);
    expect(completed.body.data.status).toBe("completed");
    expect(completed.body.data.completedAt).not.toBeNull();

    for (const title of ["Collect", "Compare"]) {
      const step = await api.request<Data<{ position: number; organizationId: string }>>(
        `/v1/research/plans/${plan.id}/steps`,
        { token: acme, method: "POST", body: { title } },
      );
      expect(step.status).toBe(201);
      expect(step.body.data.organizationId).toBe("org_acme");
    }
    const steps = await api.request<Data<{ title: string; position: number }[]>>(
      `/v1/research/plans/${plan.id}/steps`,
      { token: acme },
    );
    expect(steps.body.data.map((s) => [s.position, s.title])).toEqual([
      [1, "Collect"],
      [2, "Compare"],
    ]);

    const deleted = await api.request(`/v1/research/plans/${plan.id}`, {
      token: acme,
      method: "DELETE",
    });
    expect(deleted.status).toBe(204);
    expect((await api.request(`/v1/research/plans/${plan.id}`, { token: acme })).status).toBe(404);
    // Its steps went with it (ON DELETE CASCADE).
    expect(
      await api.db.select().from(researchStep).where(eq(researchStep.planId, plan.id)),
    ).toEqual([]);
  });

  it("can page through its plans newest first, each exactly once, ties on created_at included", async () => {
    // Three plans at the same microsecond: only the id orders them.
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
      sql`update research_plan set created_at = created_at + interval '7 microseconds' where id like 'tie_%'`,
    );

    const seen: PlanJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page: { status: number; body: Page<PlanJson> } = await api.request<Page<PlanJson>>(
        `/v1/research/plans${query}`,
        { token: acme },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
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
