import type { PassThrough } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Scope } from "@repo/db";
import { issueToken, seed } from "@repo/db/admin";
import { createTestDatabase, type TestDatabase } from "@repo/db/testing";
import { createMcpApp, type McpAppOptions } from "../app";
import { type RunningMcpServer, startMcpServer } from "../serve";

// Each test file: its own migrated database with the dev seed (three organizations, one demo
// token each, every scope) and the MCP app on a random loopback port, connected as the
// runtime role. The owner connection (`db`) arranges rows and tokens.

export const ORGS = ["acme", "globex", "initech"] as const;
export type OrgKey = (typeof ORGS)[number];

export interface TestMcp {
  /** The MCP endpoint (POST). */
  readonly url: string;
  readonly database: TestDatabase;
  readonly tokens: Record<OrgKey, string>;
  readonly users: Record<OrgKey, string>;
  /** A new token of `org`'s demo user with exactly `scopes` (and optionally a lifetime). */
  token(org: OrgKey, scopes: readonly Scope[], expiresInMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startTestMcp(options: Omit<McpAppOptions, "db"> = {}): Promise<TestMcp> {
  const database = await createTestDatabase();
  let server: RunningMcpServer | undefined;
  try {
    const seeded = await seed({ db: database.db, tier: "dev" });
    const key = (organization: string) => organization.replace(/^org_/, "") as OrgKey;
    const tokens = Object.fromEntries(seeded.tokens.map((t) => [key(t.organization), t.token]));
    const users = Object.fromEntries(seeded.tokens.map((t) => [key(t.organization), t.user]));
    server = await startMcpServer(
      createMcpApp({ onError: () => undefined, ...options, db: database.app }),
      {
        port: 0,
        hostname: "127.0.0.1",
      },
    );
    const running = server;
    return {
      url: running.url,
      database,
      tokens: tokens as Record<OrgKey, string>,
      users: users as Record<OrgKey, string>,
      async token(org, scopes, expiresInMs) {
        const issued = await issueToken(database.db, {
          organizationId: `org_${org}`,
          userId: users[org] as string,
          scopes,
          ...(expiresInMs === undefined ? {} : { expiresInMs }),
        });
        return issued.token;
      },
      async close() {
        await running.close(1_000);
        await database.dispose();
      },
    };
  } catch (error) {
    await server?.close(0);
    await database.dispose();
    throw error;
  }
}

/** An SDK Client connected over Streamable HTTP with `token`. */
export async function httpClient(
  url: string,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: "test", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: {
      headers: { ...headers, ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    },
  });
  await client.connect(transport);
  return client;
}

/**
 * The client side of a stdio pair in this process: the SDK's own newline-delimited JSON-RPC
 * framing over streams, for the embedded database (one process owns a PGlite).
 */
export class StreamClientTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly buffer = new ReadBuffer();
  constructor(
    private readonly input: PassThrough,
    private readonly output: PassThrough,
  ) {}
  async start() {
    this.input.on("data", (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage()) {
        this.onmessage?.(message);
      }
    });
  }
  async send(message: JSONRPCMessage) {
    this.output.write(serializeMessage(message));
  }
  async close() {
    this.output.end();
    this.onclose?.();
  }
}

/** The text of a tool result (its one text content). */
export function textOf(result: unknown): string {
  const [first] = (result as CallToolResult).content;
  return first?.type === "text" ? first.text : "";
}

/** A successful tool result's JSON value; fails the test with the error text otherwise. */
export function resultValue<T>(result: unknown): T {
  const text = textOf(result);
  if ((result as CallToolResult).isError) throw new Error(`tool error: ${text}`);
  return JSON.parse(text) as T;
}
