import type { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  createDocumentIngestor,
  createHeavyWorkGate,
  type Database,
  HashingEmbedder,
  inlinePreparer,
  refusalOf,
} from "@repo/db";
import { callerOf, TokenRefusedError } from "./auth";
import { createMcpServer } from "./tools";

/** Why the stdio server did not start: one line for stderr (the process exits 1). */
export class StdioStartupError extends Error {
  override readonly name = "StdioStartupError";
}

export interface StdioOptions {
  db: Database;
  /** MCP_TOKEN. */
  token: string | undefined;
  /** MCP_ORGANIZATION_ID: needed when the token's user belongs to several organizations. */
  organizationId?: string | null;
  input: Readable;
  output: Writable;
}

/**
 * Serves MCP over a stdio pair once the token passes (StdioStartupError otherwise, before any
 * message is read). The token is checked again
 * before each tool call: a token revoked meanwhile stops working. Resolves with `close`.
 */
export async function startStdioServer(options: StdioOptions): Promise<{ close(): Promise<void> }> {
  const token = options.token?.trim();
  if (!token) {
    throw new StdioStartupError(
      "MCP_TOKEN is not set: set it to a personal access token (pnpm db:token create).",
    );
  }
  const authenticate = () => callerOf(options.db, token, options.organizationId ?? null);
  try {
    await authenticate();
  } catch (error) {
    if (error instanceof TokenRefusedError) {
      throw new StdioStartupError(
        "MCP_TOKEN was refused (unknown, expired, revoked, or not a member of the organization): create a new one with pnpm db:token create.",
      );
    }
    throw new StdioStartupError(`Cannot start the MCP server: ${refusalOf(error).message}`);
  }
  const embedder = new HashingEmbedder();
  const server = createMcpServer({
    db: options.db,
    embedder,
    ingest: createDocumentIngestor(inlinePreparer(embedder)),
    heavyWork: createHeavyWorkGate(),
    caller: authenticate,
    // stdout carries the protocol: diagnostics go to stderr.
    onError: (error) =>
      console.error(`mcp: ${error instanceof Error ? `${error.name}: ${error.message}` : error}`),
  });
  await server.connect(new StdioServerTransport(options.input, options.output));
  return { close: () => server.close() };
}
