import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  createDocumentIngestor,
  createHeavyWorkGate,
  type Database,
  type DocumentPreparer,
  type Embedder,
  getDb,
  HashingEmbedder,
  type HeavyWorkGate,
  inlinePreparer,
  refusalOf,
} from "@repo/db";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { callerOf, TokenRefusedError } from "./auth";
import { createMcpServer } from "./tools";

/** Largest request body (a document to ingest is the big one). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface McpAppOptions {
  /** The app database (runtime role). Default: getDb(), opened on the first request. */
  db?: Database;
  /** Embeds search queries (and documents, unless `preparer` is given). */
  embedder?: Embedder;
  /** Chunks and embeds documents to ingest. Default: on the event loop with `embedder`. */
  preparer?: DocumentPreparer;
  /**
   * Where searches and ingestions wait for their organization's turn. Default:
   * createHeavyWorkGate() (DB_TENANT_HEAVY_CONCURRENCY at a time per organization).
   */
  heavyWork?: HeavyWorkGate;
  /** Whether requests may run yet (the production entry verifies its login first). */
  ready?: () => boolean;
  /** Unexpected errors (never sent to clients). Default: one line on stderr. */
  onError?: (error: unknown) => void;
}

/** A JSON-RPC error response outside the MCP session (the transport has not run). */
const rpcError = (message: string) => ({
  jsonrpc: "2.0",
  error: { code: -32000, message },
  id: null,
});

const logError = (error: unknown) =>
  console.error(`mcp: ${error instanceof Error ? `${error.name}: ${error.message}` : error}`);

/**
 * The MCP server over Streamable HTTP at POST /mcp, stateless: each request is authenticated
 * (`Authorization: Bearer rpat_...`, optionally `X-Organization-Id`) and served by a new
 * server and transport, so no session state outlives it. A refused token is a 401, a lost
 * database a 503 (Retry-After); GET /health needs no token.
 */
export function createMcpApp(options: McpAppOptions = {}) {
  const db = () => options.db ?? getDb();
  const embedder = options.embedder ?? new HashingEmbedder();
  const ingest = createDocumentIngestor(options.preparer ?? inlinePreparer(embedder));
  const heavyWork = options.heavyWork ?? createHeavyWorkGate();
  const onError = options.onError ?? logError;
  const ready = options.ready ?? (() => true);

  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.post(
    "/mcp",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(rpcError(`The body is larger than ${MAX_BODY_BYTES} bytes.`), 413),
    }),
    async (c) => {
      if (!ready()) {
        c.header("Retry-After", "1");
        return c.json(rpcError("Starting: the database login is being verified."), 503);
      }
      const token = /^Bearer (\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      let caller: Awaited<ReturnType<typeof callerOf>>;
      try {
        caller = await callerOf(db(), token, c.req.header("x-organization-id") ?? null);
      } catch (error) {
        if (error instanceof TokenRefusedError) {
          c.header("WWW-Authenticate", 'Bearer realm="mcp"');
          return c.json(rpcError(error.message), 401);
        }
        const refusal = refusalOf(error);
        if (refusal.code === "unavailable" || refusal.code === "timeout") {
          c.header("Retry-After", "1");
          return c.json(rpcError(refusal.message), 503);
        }
        onError(error);
        return c.json(rpcError("Internal error."), 500);
      }
      const server = createMcpServer({
        db: db(),
        embedder,
        ingest,
        heavyWork,
        signal: c.req.raw.signal,
        caller: async () => caller,
        onError,
      });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      await server.connect(transport);
      try {
        return await transport.handleRequest(c.req.raw);
      } finally {
        await server.close();
      }
    },
  );
  // Stateless: no server-to-client stream and no session to end.
  app.on(["GET", "DELETE"], "/mcp", (c) =>
    c.json(rpcError("Method not allowed: POST JSON-RPC messages to /mcp."), 405, {
      Allow: "POST",
    }),
  );
  return app;
}
