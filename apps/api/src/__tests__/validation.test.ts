import { eq, schema } from "@repo/db/sql";
import { MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_STEP_POSITION } from "@repo/db/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ErrorBody, startTestApi, type TestApi } from "./harness";

let api: TestApi;
let acme: string;

beforeAll(async () => {
  api = await startTestApi();
  acme = api.tokens.acme;
});
afterAll(async () => {
  await api?.close();
});

const post = (path: string, body: unknown) =>
  api.request<ErrorBody>(path, { token: acme, method: "POST", body });

describe("invalid requests", () => {
  it("cannot create a plan without title and objective: 400 naming both fields", async () => {
    const response = await post("/v1/research/plans", {});
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid_request");
    expect(Object.keys(response.body.error.fields ?? {}).sort()).toEqual(["objective", "title"]);
  });

  it("cannot create a plan with a blank title or an unknown status", async () => {
    const response = await post("/v1/research/plans", {
      title: "   ",
      objective: "ok",
      status: "finished",
    });
    expect(response.status).toBe(400);
    expect(response.body.error.fields?.title).toEqual(["Must not be blank"]);
    expect(response.body.error.fields?.status).toHaveLength(1);
  });

  it("cannot set fields the server owns, such as organizationId, and nothing is written", async () => {
    const response = await post("/v1/research/plans", {
      title: "Planted",
      objective: "Write into another organization",
      organizationId: "org_globex",
      createdById: "user_globex_1",
    });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toEqual({
      organizationId: ["Unknown field"],
      createdById: ["Unknown field"],
    });
    const planted = await api.db
      .select()
      .from(schema.researchPlan)
      .where(eq(schema.researchPlan.title, "Planted"));
    expect(planted).toEqual([]);
  });

  it("cannot send a body that is not JSON", async () => {
    const response = await api.request<ErrorBody>("/v1/research/plans", {
      token: acme,
      method: "POST",
      rawBody: "{title: nope",
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid_request");
  });

  it("cannot send a body of another media type: 415 naming the fix, and nothing is written", async () => {
    const response = await api.request<ErrorBody>("/v1/research/plans", {
      token: acme,
      method: "POST",
      rawBody: "title=Form+post&objective=nope",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      error: {
        code: "invalid_request",
        message: "Send the body as JSON (Content-Type: application/json).",
      },
    });
    expect(
      await api.db
        .select()
        .from(schema.researchPlan)
        .where(eq(schema.researchPlan.title, "Form post")),
    ).toEqual([]);
  });

  it("cannot set a plan status outside the enum", async () => {
    const response = await api.request<ErrorBody>("/v1/research/plans/plan_acme_1/status", {
      token: acme,
      method: "PATCH",
      body: { status: "done" },
    });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.error.fields ?? {})).toEqual(["status"]);
  });

  it("cannot page with a limit out of range or a forged cursor", async () => {
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=1000", "limit"],
      ["?limit=abc", "limit"],
      ["?cursor=not-a-cursor", "cursor"],
      [`?cursor=${Buffer.from('["yesterday","x"]').toString("base64url")}`, "cursor"],
    ] as const) {
      const response = await api.request<ErrorBody>(`/v1/research/plans${query}`, { token: acme });
      expect(response.status, query).toBe(400);
      expect(Object.keys(response.body.error.fields ?? {}), query).toEqual([field]);
    }
  });

  it("cannot search without a query", async () => {
    for (const query of ["", "?q=", "?q=%20%20", "?q=x&limit=0"]) {
      const response = await api.request<ErrorBody>(`/v1/search${query}`, { token: acme });
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe("invalid_request");
    }
  });

  it("cannot ingest a document with blank content or a non-object metadata", async () => {
    const response = await post("/v1/documents", {
      title: "Empty",
      content: "\n\n",
      metadata: [1],
    });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.error.fields ?? {}).sort()).toEqual(["content", "metadata"]);
  });

  it("cannot store text with a NUL character: 400, not 500", async () => {
    const response = await post("/v1/research/plans", { title: "a\u0000b", objective: "x" });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("invalid_request");
  });

  it("cannot send a body over 1 MB: 413, and nothing is written", async () => {
    const response = await post("/v1/documents", {
      title: "Huge",
      content: "word ".repeat(250_000),
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
    const huge = await api.db
      .select()
      .from(schema.document)
      .where(eq(schema.document.title, "Huge"));
    expect(huge).toEqual([]);
  });

  it("answers an unknown route with a JSON 404", async () => {
    const response = await api.request<ErrorBody>("/v1/nothing-here", { token: acme });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });
});

// Each of these gave a 500 once: a class of input, not one value, so each test sends several.
describe("bad input classes", () => {
  const cursorOf = (json: string) => Buffer.from(json).toString("base64url");
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

  it("cannot crash field errors with keys named after Object.prototype members", async () => {
    const keys = ["__proto__", "toString", "constructor", "hasOwnProperty", "valueOf"];
    const rawBody = `{${keys.map((key) => `"${key}":1`).join(",")},"title":"t","objective":"o"}`;
    for (const path of [
      "/v1/research/plans",
      "/v1/documents",
      "/v1/research/plans/plan_acme_1/steps",
    ]) {
      const response = await api.request<ErrorBody>(path, { token: acme, method: "POST", rawBody });
      expect(response.status, path).toBe(400);
      const fields = response.body.error.fields ?? {};
      for (const key of keys) expect(fields[key], `${path} ${key}`).toEqual(["Unknown field"]);
    }
    // The same names in a query string.
    const query = await api.request<ErrorBody>(
      `/v1/research/plans?${keys.map((key) => `${key}=1`).join("&")}&limit=0`,
      { token: acme },
    );
    expect(query.status).toBe(400);
    expect(Object.keys(query.body.error.fields ?? {})).toEqual(["limit"]);
  });

  it("cannot page with a cursor whose timestamp has the right shape but is no date", async () => {
    for (const time of [
      "2026-02-30T25:61:61.000000Z",
      "2026-02-30T00:00:00.000000Z",
      "2025-02-29T12:00:00.000000Z",
      "2026-13-01T00:00:00.000000Z",
      "2026-01-01T24:00:00.000000Z",
      "2026-01-01T23:59:60.000000Z",
      "0000-01-01T00:00:00.000000Z",
    ]) {
      const cursor = cursorOf(JSON.stringify([time, "plan_acme_1"]));
      const response = await api.request<ErrorBody>(`/v1/research/plans?cursor=${cursor}`, {
        token: acme,
      });
      expect(response.status, time).toBe(400);
      expect(Object.keys(response.body.error.fields ?? {}), time).toEqual(["cursor"]);
    }
    // A real date far from any row still pages: after it, nothing or everything.
    for (const time of ["2024-02-29T23:59:59.999999Z", "0001-01-01T00:00:00.000000Z"]) {
      const cursor = cursorOf(JSON.stringify([time, "x"]));
      const response = await api.request(`/v1/research/plans?cursor=${cursor}`, { token: acme });
      expect(response.status, time).toBe(200);
    }
  });

  it("cannot send a lone surrogate in any string of a body or query: 400 naming the field", async () => {
    const cases: [string, unknown, string][] = [
      [
        "/v1/research/plans",
        { title: "t", objective: "o", metadata: { note: "\udfff" } },
        "metadata.note",
      ],
      ["/v1/research/plans", { title: "a\ud800b", objective: "o" }, "title"],
      [
        "/v1/research/plans",
        { title: "t", objective: "o", metadata: { list: ["ok", "\udc00"] } },
        "metadata.list.1",
      ],
      [
        "/v1/research/plans",
        { title: "t", objective: "o", metadata: { toString: "\udfff" } },
        "metadata.toString",
      ],
      [
        "/v1/research/plans",
        { title: "t", objective: "o", metadata: { "k\udfff": 1 } },
        "metadata.k\udfff",
      ],
      ["/v1/documents", { title: "t", content: "x\ud83d" }, "content"],
      ["/v1/research/plans/plan_acme_1/steps", { title: "\udfff" }, "title"],
    ];
    for (const [path, body, field] of cases) {
      const response = await post(path, body);
      expect(response.status, field).toBe(400);
      expect(Object.keys(response.body.error.fields ?? {}), field).toEqual([field]);
    }
    const cursor = cursorOf('["2026-01-01T00:00:00.000000Z","\\udfff"]');
    const page = await api.request<ErrorBody>(`/v1/research/plans?cursor=${cursor}`, {
      token: acme,
    });
    expect(page.status).toBe(400);
    expect(Object.keys(page.body.error.fields ?? {})).toEqual(["cursor"]);
    // A well-formed pair is text like any other.
    const emoji = await post("/v1/research/plans", { title: "\ud83d\ude00", objective: "o" });
    expect(emoji.status).toBe(201);
  });

  it("cannot store jsonb nested or sized beyond the limits: 400 naming the limit", async () => {
    const deep = await api.request<ErrorBody>("/v1/research/plans", {
      token: acme,
      method: "POST",
      rawBody: `{"title":"Deep","objective":"o","metadata":${nested(5_000)}}`,
    });
    expect(deep.status).toBe(400);
    expect(deep.body.error.fields?.metadata?.join(" ")).toContain(String(MAX_JSON_DEPTH));
    const deepArrays = await api.request<ErrorBody>("/v1/documents", {
      token: acme,
      method: "POST",
      rawBody: `{"title":"Deep","content":"c","metadata":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`,
    });
    expect(deepArrays.status).toBe(400);
    expect(Object.keys(deepArrays.body.error.fields ?? {})).toEqual(["metadata"]);
    const atLimit = await post("/v1/research/plans", {
      title: "At the limit",
      objective: "o",
      metadata: JSON.parse(nested(MAX_JSON_DEPTH)),
    });
    expect(atLimit.status).toBe(201);
    const big = await post("/v1/research/plans", {
      title: "Big",
      objective: "o",
      metadata: { blob: "x".repeat(MAX_JSON_BYTES) },
    });
    expect(big.status).toBe(400);
    expect(big.body.error.fields?.metadata?.join(" ")).toContain(String(MAX_JSON_BYTES));
    const written = await api.db
      .select()
      .from(schema.researchPlan)
      .where(eq(schema.researchPlan.title, "Deep"));
    expect(written).toEqual([]);
  });

  it("cannot push step positions past the maximum: 400 for a position, 409 for the next one", async () => {
    const plan = await post("/v1/research/plans", { title: "Positions", objective: "o" });
    const planId = (plan.body as unknown as { data: { id: string } }).data.id;
    const steps = `/v1/research/plans/${planId}/steps`;
    for (const position of [2_147_483_647, MAX_STEP_POSITION + 1, -1, 1e300]) {
      const response = await post(steps, { title: "Far", position });
      expect(response.status, String(position)).toBe(400);
      expect(Object.keys(response.body.error.fields ?? {})).toEqual(["position"]);
    }
    expect((await post(steps, { title: "Last", position: MAX_STEP_POSITION })).status).toBe(201);
    const next = await post(steps, { title: "Next" });
    expect(next.status).toBe(409);
    expect(next.body.error.message).toContain(String(MAX_STEP_POSITION));
    // A row from before the bound, at the top of integer: still a 409, never an overflow.
    await api.db
      .update(schema.researchStep)
      .set({ position: 2_147_483_647 })
      .where(eq(schema.researchStep.planId, planId));
    expect((await post(steps, { title: "Next" })).status).toBe(409);
  });
});
