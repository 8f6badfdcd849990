import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import {
  addStep,
  createPlan,
  type Database,
  DomainError,
  decodePlanCursor,
  type Embedder,
  getDocument,
  getPlanWithSteps,
  type HeavyWorkGate,
  type IngestDocument,
  insertDocument,
  isPossibleId,
  listPlans,
  missingScopes,
  refusalOf,
  type Scope,
  searchChunks,
  type Transaction,
  toPlanPage,
  type UnitValue,
  usageSummary,
  withTenantContext,
} from "@repo/db";
import {
  insertDocumentSchema,
  insertResearchPlanSchema,
  insertResearchStepSchema,
} from "@repo/db/zod";
import { z } from "zod";
import { type Caller, TokenRefusedError } from "./auth";

export interface ToolOptions {
  db: Database;
  embedder: Embedder;
  ingest: IngestDocument;
  /** Where searches and ingestions wait for their organization's turn (one per process). */
  heavyWork: HeavyWorkGate;
  /** Aborts when the client has left (HTTP): a call still waiting for its turn gives it up. */
  signal?: AbortSignal;
  /**
   * The caller of the next tool call: HTTP authenticates once per request; stdio checks its
   * token again before each call (a token revoked mid-session stops working). Throws
   * TokenRefusedError when the token no longer passes.
   */
  caller: () => Promise<Caller>;
  /** Where unexpected errors go (never to the client). */
  onError?: (error: unknown) => void;
}

/** A tool error result: the client (and the model) sees `message`, the call is not retried. */
const failure = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text: message }],
});

const success = (value: unknown): CallToolResult => ({
  content: [{ type: "text", text: JSON.stringify(value, null, 2) }],
  structuredContent: { result: value } as Record<string, unknown>,
});

/** A refusal worded for the caller before any unit runs (a missing scope, a bad cursor). */
class ToolRefusal extends Error {
  override readonly name = "ToolRefusal";
}

const Id = z.string().min(1).max(256).describe("An id as returned by another tool (opaque text).");

/**
 * The MCP server of one caller: tools and resources over the organization's research plans,
 * documents, search and AI usage. Every call checks its scope, then runs one tenant unit
 * (withTenantContext) calling @repo/db's domain functions: RLS keeps it inside the caller's
 * organization, so another organization's id is "not found".
 */
export function createMcpServer(options: ToolOptions): McpServer {
  const server = new McpServer({ name: "repo-research", version: "0.0.0" });

  async function unit<R>(
    scope: Scope,
    fn: (tx: Transaction, caller: Caller) => R,
  ): Promise<UnitValue<R>> {
    const caller = await options.caller();
    const missing = missingScopes(caller.scopes, [scope]);
    if (missing.length > 0) {
      throw new ToolRefusal(
        `This token lacks the scope ${missing.join(", ")}: create one with it (pnpm db:token create --scopes ...).`,
      );
    }
    return withTenantContext(options.db, caller, (tx) => fn(tx, caller));
  }

  /** Runs CPU-heavy work (search, ingestion) in a turn of the caller's organization. */
  const heavy = async <T>(work: () => Promise<T>): Promise<T> =>
    options.heavyWork((await options.caller()).organizationId, work, options.signal);

  /** Runs a tool body; every refusal becomes a one-line tool error, never a crash. */
  const call = async (body: () => Promise<unknown>): Promise<CallToolResult> => {
    try {
      return success(await body());
    } catch (error) {
      if (error instanceof ToolRefusal || error instanceof TokenRefusedError) {
        return failure(error.message);
      }
      const refusal = refusalOf(error);
      if (refusal.code === "internal") options.onError?.(error);
      return failure(refusal.message);
    }
  };

  /** One answer for a missing row and another organization's row: ids are not probeable. */
  const notFound = (what: string): never => {
    throw new DomainError("not_found", `${what} not found.`);
  };

  server.registerTool(
    "search_documents",
    {
      title: "Search documents",
      description:
        "Hybrid search (full text + vector similarity) over the organization's document chunks. Returns the best chunks first: chunk text, its document id and a fused score. Needs scope search:read.",
      inputSchema: {
        query: z.string().min(1).max(1_000).describe("Words to find (at most 32)."),
        limit: z.number().int().min(1).max(50).default(10).describe("How many chunks (1-50)."),
      },
    },
    ({ query, limit }) =>
      call(async () => {
        const [embedding] = await options.embedder.embed([query]);
        const hits = await heavy(() =>
          unit("search:read", (tx) =>
            searchChunks(tx, { query, embedding: embedding ?? null, limit }),
          ),
        );
        return hits.map(({ chunkId, documentId, content, score }) => ({
          chunkId,
          documentId,
          content,
          score,
        }));
      }),
  );

  server.registerTool(
    "list_research_plans",
    {
      title: "List research plans",
      description:
        "The organization's research plans, newest first, one page at a time (pass nextCursor back as cursor). Needs scope research:read.",
      inputSchema: {
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(512).optional().describe("nextCursor of the previous page."),
      },
    },
    ({ limit, cursor }) =>
      call(async () => {
        const decoded = cursor ? decodePlanCursor(cursor) : undefined;
        if (cursor && !decoded) {
          throw new ToolRefusal("cursor must be the nextCursor of a previous page.");
        }
        const page = { limit, cursor: decoded };
        return toPlanPage(await unit("research:read", (tx) => listPlans(tx, page)), page);
      }),
  );

  server.registerTool(
    "get_research_plan",
    {
      title: "Get a research plan",
      description: "One research plan with its steps in order. Needs scope research:read.",
      inputSchema: { id: Id },
    },
    ({ id }) =>
      call(async () => {
        const plan = isPossibleId(id)
          ? await unit("research:read", (tx) => getPlanWithSteps(tx, id))
          : undefined;
        return plan ?? notFound("Plan");
      }),
  );

  server.registerTool(
    "create_research_plan",
    {
      title: "Create a research plan",
      description:
        "Creates a research plan (status draft unless given) owned by the token's user. Needs scope research:write.",
      // The table's own insert schema: the same bounds as the API's.
      inputSchema: insertResearchPlanSchema.pick({ title: true, objective: true, status: true })
        .shape,
    },
    (input) =>
      call(async () => {
        const [plan] = await unit("research:write", (tx, caller) => createPlan(tx, caller, input));
        return plan;
      }),
  );

  server.registerTool(
    "add_research_step",
    {
      title: "Add a step to a research plan",
      description:
        "Adds a step to a plan, after its last step unless a position is given. Needs scope research:write.",
      inputSchema: {
        planId: Id,
        ...insertResearchStepSchema.pick({ title: true, instructions: true }).shape,
        position: insertResearchStepSchema.shape.position.optional(),
      },
    },
    ({ planId, ...input }) =>
      call(async () => {
        if (!isPossibleId(planId)) return notFound("Plan");
        return unit("research:write", (tx, caller) =>
          addStep(tx, caller.organizationId, planId, input),
        );
      }),
  );

  server.registerTool(
    "ingest_document",
    {
      title: "Ingest a document",
      description:
        "Stores a text document: it is split into chunks and embedded so search_documents finds it. Returns the document (without content) and its chunk count. Needs scope documents:write.",
      inputSchema: insertDocumentSchema.pick({
        title: true,
        content: true,
        sourceUri: true,
        mimeType: true,
      }).shape,
    },
    (input) =>
      call(async () => {
        // Refuse before the CPU work of preparing chunks.
        await unit("documents:write", () => undefined);
        return heavy(() =>
          options.ingest(input.content, (chunks) =>
            unit("documents:write", (tx, caller) => insertDocument(tx, caller, input, chunks)),
          ),
        );
      }),
  );

  server.registerTool(
    "get_document",
    {
      title: "Get a document",
      description: "One document with its chunks in order. Needs scope documents:read.",
      inputSchema: { id: Id },
    },
    ({ id }) =>
      call(async () => {
        const found = isPossibleId(id)
          ? await unit("documents:read", (tx) => getDocument(tx, id))
          : undefined;
        return found ?? notFound("Document");
      }),
  );

  server.registerTool(
    "ai_usage_summary",
    {
      title: "AI usage summary",
      description:
        "The organization's AI usage per model: requests, tokens and cost in USD, most expensive first. Needs scope usage:read.",
      inputSchema: {},
    },
    () => call(() => unit("usage:read", (tx) => usageSummary(tx))),
  );

  const read = async (uri: URL, body: () => Promise<unknown>): Promise<ReadResourceResult> => {
    const result = await call(body);
    const [first] = result.content;
    const text = first?.type === "text" ? first.text : "";
    // A resource read has no error result: refusals are protocol errors with the same words.
    if (result.isError) throw new Error(text);
    return { contents: [{ uri: uri.href, mimeType: "application/json", text }] };
  };

  server.registerResource(
    "research-plan",
    new ResourceTemplate("research-plan://{id}", { list: undefined }),
    {
      title: "Research plan",
      description: "A research plan with its steps (scope research:read).",
      mimeType: "application/json",
    },
    (uri, { id }) =>
      read(uri, async () => {
        const planId = String(id);
        const plan = isPossibleId(planId)
          ? await unit("research:read", (tx) => getPlanWithSteps(tx, planId))
          : undefined;
        return plan ?? notFound("Plan");
      }),
  );

  server.registerResource(
    "document",
    new ResourceTemplate("document://{id}", { list: undefined }),
    {
      title: "Document",
      description: "A document with its chunks (scope documents:read).",
      mimeType: "application/json",
    },
    (uri, { id }) =>
      read(uri, async () => {
        const documentId = String(id);
        const found = isPossibleId(documentId)
          ? await unit("documents:read", (tx) => getDocument(tx, documentId))
          : undefined;
        return found ?? notFound("Document");
      }),
  );

  return server;
}
