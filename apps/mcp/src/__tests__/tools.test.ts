import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { createHeavyWorkGate, SCOPES, type Scope } from "@repo/db";
import { document, researchPlan } from "@repo/db/schema";
import { eq, inArray } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  httpClient,
  ORGS,
  type OrgKey,
  resultValue,
  startTestMcp,
  type TestMcp,
  textOf,
} from "./harness";

// Every tool through the SDK's Client over Streamable HTTP: what it answers, that it never
// answers another organization's rows, and that each one needs its own scope.

let mcp: TestMcp;
const clients = {} as Record<OrgKey, Client>;
/** Searches and ingestions wait for a turn of their organization; a test holds acme's. */
const turns = createHeavyWorkGate({ perOrganization: 1 });

beforeAll(async () => {
  mcp = await startTestMcp({ heavyWork: turns });
  for (const org of ORGS) clients[org] = await httpClient(mcp.url, mcp.tokens[org]);
});
afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await mcp?.close();
});

/** An id of `org`'s rows of `table`, read as the owner. */
async function idOf(table: typeof researchPlan | typeof document, org: OrgKey) {
  const [row] = await mcp.database.db
    .select({ id: table.id })
    .from(table)
    .where(eq(table.organizationId, `org_${org}`))
    .limit(1);
  if (!row) throw new Error(`the dev seed has no ${org} row`);
  return row.id;
}

/** A resource read's one text content. */
const textContent = (read: { contents: ({ text: string } | { blob: string })[] }) => {
  const [first] = read.contents;
  return first && "text" in first ? first.text : "";
};

interface Plan {
  id: string;
  organizationId: string;
  title: string;
  steps: { id: string; position: number; title: string }[];
}

/** The scope each tool needs, and arguments that would succeed for acme. */
const TOOLS: Record<string, { scope: Scope; args: () => Promise<Record<string, unknown>> }> = {
  search_documents: { scope: "search:read", args: async () => ({ query: "research notes" }) },
  list_research_plans: { scope: "research:read", args: async () => ({}) },
  get_research_plan: {
    scope: "research:read",
    args: async () => ({ id: await idOf(researchPlan, "acme") }),
  },
  create_research_plan: {
    scope: "research:write",
    args: async () => ({ title: "Scoped", objective: "Scopes" }),
  },
  add_research_step: {
    scope: "research:write",
    args: async () => ({ planId: await idOf(researchPlan, "acme"), title: "Scoped step" }),
  },
  ingest_document: {
    scope: "documents:write",
    args: async () => ({ title: "Scoped", content: "A scoped document." }),
  },
  get_document: {
    scope: "documents:read",
    args: async () => ({ id: await idOf(document, "acme") }),
  },
  ai_usage_summary: { scope: "usage:read", args: async () => ({}) },
};

describe("tools", () => {
  it("can list every tool, each with a description and an input schema", async () => {
    const { tools } = await clients.acme.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(TOOLS).sort());
    for (const tool of tools) {
      expect(tool.description, tool.name).toMatch(/Needs scope/);
      expect(tool.inputSchema.type).toBe("object");
    }
  });

  it("can list the organization's plans, and only those", async () => {
    const page = resultValue<{ data: Plan[]; nextCursor: string | null }>(
      await clients.acme.callTool({ name: "list_research_plans", arguments: { limit: 100 } }),
    );
    expect(page.data.length).toBeGreaterThan(0);
    expect(new Set(page.data.map((plan) => plan.organizationId))).toEqual(new Set(["org_acme"]));
  });

  it("can create a plan, add steps to it and get it with its steps in order", async () => {
    const created = resultValue<Plan>(
      await clients.acme.callTool({
        name: "create_research_plan",
        arguments: { title: "MCP plan", objective: "Through a client" },
      }),
    );
    expect(created).toMatchObject({ title: "MCP plan", organizationId: "org_acme" });
    for (const title of ["First", "Second"]) {
      const step = resultValue<{ position: number }>(
        await clients.acme.callTool({
          name: "add_research_step",
          arguments: { planId: created.id, title },
        }),
      );
      expect(step.position).toBe(title === "First" ? 1 : 2);
    }
    const plan = resultValue<Plan>(
      await clients.acme.callTool({ name: "get_research_plan", arguments: { id: created.id } }),
    );
    expect(plan.steps.map((step) => step.title)).toEqual(["First", "Second"]);
    const [stored] = await mcp.database.db
      .select()
      .from(researchPlan)
      .where(eq(researchPlan.id, created.id));
    expect(stored?.createdById).toBe(mcp.users.acme);
  });

  it("can ingest a document, find it by search (chunk text, document id, score) and get it", async () => {
    const ingested = resultValue<{ id: string; chunkCount: number }>(
      await clients.acme.callTool({
        name: "ingest_document",
        arguments: {
          title: "Wombat logistics",
          content: "Wombat burrow logistics in quokka country.",
        },
      }),
    );
    expect(ingested.chunkCount).toBe(1);
    const hits = resultValue<
      { chunkId: string; documentId: string; content: string; score: number }[]
    >(
      await clients.acme.callTool({
        name: "search_documents",
        arguments: { query: "wombat burrow", limit: 5 },
      }),
    );
    expect(hits[0]).toMatchObject({
      documentId: ingested.id,
      content: expect.stringContaining("Wombat"),
    });
    expect(hits[0]?.score).toBeGreaterThan(0);
    const found = resultValue<{ id: string; chunks: unknown[] }>(
      await clients.acme.callTool({ name: "get_document", arguments: { id: ingested.id } }),
    );
    expect(found.chunks).toHaveLength(1);
    const other = await clients.globex.callTool({
      name: "search_documents",
      arguments: { query: "wombat burrow" },
    });
    // Vector search always answers its nearest chunks: never this document of acme's.
    const theirs = resultValue<{ documentId: string }[]>(other).map((hit) => hit.documentId);
    expect(theirs).not.toContain(ingested.id);
  });

  it("cannot find another organization's chunks by search", async () => {
    const hits = resultValue<{ documentId: string }[]>(
      await clients.acme.callTool({
        name: "search_documents",
        arguments: { query: "notes findings recent studies", limit: 50 },
      }),
    );
    expect(hits.length).toBeGreaterThan(0);
    const owners = await mcp.database.db
      .selectDistinct({ org: document.organizationId })
      .from(document)
      .where(
        inArray(
          document.id,
          hits.map((hit) => hit.documentId),
        ),
      );
    expect(owners).toEqual([{ org: "org_acme" }]);
  });

  it("can summarise the organization's AI usage", async () => {
    const usage = resultValue<{ modelId: string; requests: number }[]>(
      await clients.acme.callTool({ name: "ai_usage_summary", arguments: {} }),
    );
    expect(usage.length).toBeGreaterThan(0);
  });

  it("can read a plan and a document as resources", async () => {
    const planId = await idOf(researchPlan, "acme");
    const plan = await clients.acme.readResource({ uri: `research-plan://${planId}` });
    expect(JSON.parse(textContent(plan))).toMatchObject({ id: planId, steps: expect.any(Array) });
    const documentId = await idOf(document, "acme");
    const doc = await clients.acme.readResource({ uri: `document://${documentId}` });
    expect(JSON.parse(textContent(doc))).toMatchObject({ id: documentId });
  });

  it("cannot page with a made-up cursor: a tool error saying so", async () => {
    const result = await clients.acme.callTool({
      name: "list_research_plans",
      arguments: { cursor: "not-a-cursor" },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("cursor must be the nextCursor of a previous page.");
  });
});

describe("another organization's ids", () => {
  it("cannot get, extend or read another organization's plan: not found, nothing written", async () => {
    const theirs = await idOf(researchPlan, "globex");
    for (const [name, args] of [
      ["get_research_plan", { id: theirs }],
      ["add_research_step", { planId: theirs, title: "Intrusion" }],
    ] as const) {
      const result = await clients.acme.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(textOf(result), name).toBe("Plan not found.");
    }
    await expect(clients.acme.readResource({ uri: `research-plan://${theirs}` })).rejects.toThrow(
      "Plan not found.",
    );
    const [plan] = await mcp.database.db.query.researchPlan.findMany({
      where: eq(researchPlan.id, theirs),
      with: { steps: true },
    });
    expect(plan?.steps.some((step) => step.title === "Intrusion")).toBe(false);
  });

  it("cannot get or read another organization's document: not found", async () => {
    const theirs = await idOf(document, "initech");
    const result = await clients.acme.callTool({ name: "get_document", arguments: { id: theirs } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("Document not found.");
    await expect(clients.acme.readResource({ uri: `document://${theirs}` })).rejects.toThrow(
      "Document not found.",
    );
  });
});

describe("scopes", () => {
  it.each(Object.entries(TOOLS))(
    "cannot call %s without its scope: a tool error naming it",
    async (name, { scope, args }) => {
      const token = await mcp.token(
        "acme",
        SCOPES.filter((granted) => granted !== scope),
      );
      const client = await httpClient(mcp.url, token);
      try {
        const result = await client.callTool({ name, arguments: await args() });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain(`lacks the scope ${scope}`);
      } finally {
        await client.close();
      }
    },
  );

  it("can call a tool with exactly its scope", async () => {
    const client = await httpClient(mcp.url, await mcp.token("acme", ["usage:read"]));
    try {
      const result = await client.callTool({ name: "ai_usage_summary", arguments: {} });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it("cannot read a resource without its scope", async () => {
    const client = await httpClient(mcp.url, await mcp.token("acme", ["usage:read"]));
    try {
      const planId = await idOf(researchPlan, "acme");
      await expect(client.readResource({ uri: `research-plan://${planId}` })).rejects.toThrow(
        "lacks the scope research:read",
      );
    } finally {
      await client.close();
    }
  });
});

describe("heavy work", () => {
  it("can hold an organization's search until its heavy work before it is done, while another organization's runs", async () => {
    let finish!: () => void;
    const held = turns("org_acme", () => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const search = clients.acme.callTool({
        name: "search_documents",
        arguments: { query: "research notes" },
      });
      const other = await clients.globex.callTool({
        name: "search_documents",
        arguments: { query: "research notes" },
      });
      expect(other.isError).toBeFalsy();
      const state = await Promise.race([search.then(() => "answered"), sleep(300, "waiting")]);
      expect(state).toBe("waiting");
      finish();
      expect((await search).isError).toBeFalsy();
    } finally {
      finish();
      await held;
    }
  });
});
