import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { type Scope, SCOPES } from "@repo/db";
import { eq, schema } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultOf, startTestMcp, type TestMcp, textOf } from "./harness";

let mcp: TestMcp;
let acme: Client;

beforeAll(async () => {
  mcp = await startTestMcp();
  acme = await mcp.connect(mcp.tokens.acme);
});
afterAll(async () => {
  await mcp?.close();
});

/** Ids of acme's documents, seeded or ingested by these tests (owner connection). */
async function acmeDocumentIds() {
  const docs = await mcp.db
    .select({ id: schema.document.id })
    .from(schema.document)
    .where(eq(schema.document.organizationId, "org_acme"));
  return new Set(docs.map((doc) => doc.id));
}

/** Every tool, the scope it needs and arguments that succeed for acme. */
const CALLS: Record<string, { scope: Scope; args: Record<string, unknown> }> = {
  search_documents: { scope: "search:read", args: { query: "research", limit: 5 } },
  list_research_plans: { scope: "research:read", args: {} },
  get_research_plan: { scope: "research:read", args: { id: "plan_acme_1" } },
  create_research_plan: {
    scope: "research:write",
    args: { title: "From MCP", objective: "Check the tools" },
  },
  add_research_step: {
    scope: "research:write",
    args: { planId: "plan_acme_1", title: "A step", instructions: "Do it" },
  },
  ingest_document: {
    scope: "documents:write",
    args: { title: "Notes", content: "Vector search over research notes." },
  },
  get_document: { scope: "documents:read", args: { id: "document_acme_1" } },
  ai_usage_summary: { scope: "usage:read", args: {} },
};

describe("tools over Streamable HTTP", () => {
  it("can list every tool with its input schema and description", async () => {
    const { tools } = await acme.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(CALLS).sort());
    for (const tool of tools) {
      expect(tool.description).toContain(`Needs scope ${CALLS[tool.name]?.scope}`);
      expect(tool.inputSchema.type).toBe("object");
    }
  });

  it("can call each tool with a token holding every scope", async () => {
    for (const [name, { args }] of Object.entries(CALLS)) {
      const result = await acme.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
    }
  });

  it("can search the organization's documents: chunk text, document id and score", async () => {
    const hits = resultOf<{ documentId: string; content: string; score: number }[]>(
      await acme.callTool({ name: "search_documents", arguments: { query: "research" } }),
    );
    expect(hits.length).toBeGreaterThan(0);
    const ours = await acmeDocumentIds();
    for (const hit of hits) {
      expect(ours.has(hit.documentId)).toBe(true);
      expect(typeof hit.content).toBe("string");
      expect(typeof hit.score).toBe("number");
    }
  });

  it("can get a plan with its steps in order", async () => {
    const plan = resultOf<{ id: string; steps: { position: number }[] }>(
      await acme.callTool({ name: "get_research_plan", arguments: { id: "plan_acme_1" } }),
    );
    expect(plan.id).toBe("plan_acme_1");
    const positions = plan.steps.map((step) => step.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("can create a plan and add a step the database then holds for the organization", async () => {
    const plan = resultOf<{ id: string; organizationId: string }>(
      await acme.callTool({
        name: "create_research_plan",
        arguments: { title: "Stored", objective: "Persist" },
      }),
    );
    expect(plan.organizationId).toBe("org_acme");
    await acme.callTool({
      name: "add_research_step",
      arguments: { planId: plan.id, title: "First", instructions: "Begin" },
    });
    const steps = await mcp.db
      .select()
      .from(schema.researchStep)
      .where(eq(schema.researchStep.planId, plan.id));
    expect(steps.map((step) => step.organizationId)).toEqual(["org_acme"]);
  });

  it("can read plans and documents as resources", async () => {
    const plan = await acme.readResource({ uri: "research-plan://plan_acme_1" });
    expect(JSON.parse(String(plan.contents[0]?.text))).toMatchObject({ id: "plan_acme_1" });
    const doc = await acme.readResource({ uri: "document://document_acme_1" });
    expect(JSON.parse(String(doc.contents[0]?.text))).toMatchObject({ id: "document_acme_1" });
  });
});

describe("another organization's rows", () => {
  it("cannot get another organization's plan or document: the same not found as a missing id", async () => {
    for (const [name, theirs, missing] of [
      ["get_research_plan", "plan_globex_1", "plan_nowhere"],
      ["get_document", "document_globex_1", "document_nowhere"],
    ] as const) {
      const a = await acme.callTool({ name, arguments: { id: theirs } });
      const b = await acme.callTool({ name, arguments: { id: missing } });
      expect(a.isError).toBe(true);
      expect(textOf(a)).toMatch(/not found/);
      expect(textOf(a)).toBe(textOf(b));
    }
  });

  it("cannot add a step to another organization's plan, and no row is written", async () => {
    const result = await acme.callTool({
      name: "add_research_step",
      arguments: { planId: "plan_globex_1", title: "Intrude", instructions: "x" },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/not found/);
    const steps = await mcp.db
      .select()
      .from(schema.researchStep)
      .where(eq(schema.researchStep.organizationId, "org_acme"));
    expect(steps.some((step) => step.planId === "plan_globex_1")).toBe(false);
  });

  it("cannot read another organization's resources", async () => {
    await expect(acme.readResource({ uri: "research-plan://plan_globex_1" })).rejects.toThrow(
      /not found/,
    );
    await expect(acme.readResource({ uri: "document://document_initech_1" })).rejects.toThrow(
      /not found/,
    );
  });

  it("cannot see another organization's rows in lists or search", async () => {
    const page = resultOf<{ data: { organizationId: string }[] }>(
      await acme.callTool({ name: "list_research_plans", arguments: { limit: 100 } }),
    );
    expect(new Set(page.data.map((plan) => plan.organizationId))).toEqual(new Set(["org_acme"]));
    const hits = resultOf<{ documentId: string }[]>(
      await acme.callTool({ name: "search_documents", arguments: { query: "research", limit: 50 } }),
    );
    const ours = await acmeDocumentIds();
    expect(hits.every((hit) => ours.has(hit.documentId))).toBe(true);
  });
});

describe("scopes", () => {
  it("cannot call a tool without its scope: a tool error naming the scope", async () => {
    for (const [name, { scope, args }] of Object.entries(CALLS)) {
      const others = SCOPES.filter((s) => s !== scope);
      const client = await mcp.connect(await mcp.token("acme", others));
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toContain(`lacks the scope ${scope}`);
    }
  });

  it("can call a tool with only its scope", async () => {
    for (const [name, { scope, args }] of Object.entries(CALLS)) {
      const client = await mcp.connect(await mcp.token("acme", [scope]));
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${textOf(result)}`).toBeFalsy();
    }
  });
});

describe("tokens", () => {
  const post = (token: string | null) =>
    fetch(mcp.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });

  it("cannot connect without a token, or with an unknown, revoked or expired one: 401", async () => {
    const revoked = await mcp.token("acme", [...SCOPES], { revokedAt: new Date() });
    const expired = await mcp.token("acme", [...SCOPES], { expiresAt: new Date(Date.now() - 1_000) });
    for (const token of [null, "rpat_unknown", revoked, expired]) {
      const response = await post(token);
      expect(response.status, String(token)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    await expect(mcp.connect(revoked)).rejects.toThrow();
  });
});
