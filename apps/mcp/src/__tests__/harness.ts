import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { hashToken, type Scope } from "@repo/db";
import { seed } from "@repo/db/admin";
import { schema } from "@repo/db/sql";
import { createTestDatabase, type TestDatabase } from "@repo/db/testing";
import { createMcpApp } from "../app";
import { type RunningMcpServer, startMcpServer } from "../serve";

// Each test file: its own migrated database with the dev seed (three organizations, one demo
// token each, every scope), and the MCP app on a random loopback port as the runtime role.

export const ORGS = ["acme", "globex", "initech"] as const;
export type OrgKey = (typeof ORGS)[number];

export interface TestMcp {
  readonly url: string;
  readonly db: TestDatabase["db"];
  readonly database: TestDatabase;
  readonly tokens: Record<OrgKey, string>;
  /** A new token of the org's first user with exactly `scopes`. */
  token(org: OrgKey, scopes: readonly Scope[], extra?: { expiresAt?: Date; revokedAt?: Date }): Promise<string>;
  /** A connected SDK client over Streamable HTTP. */
  connect(token: string): Promise<Client>;
  close(): Promise<void>;
}

export async function startTestMcp(): Promise<TestMcp> {
  const database = await createTestDatabase();
  let server: RunningMcpServer | undefined;
  const clients: Client[] = [];
  try {
    const { tokens } = await seed({ db: database.db, tier: "dev" });
    const byOrg = Object.fromEntries(
      tokens.map(({ organization, token }) => [organization.replace(/^org_/, ""), token]),
    ) as Record<OrgKey, string>;
    server = await startMcpServer(createMcpApp({ db: database.app, onError: () => {} }), {
      port: 0,
      hostname: "127.0.0.1",
    });
    const running = server;
    return {
      url: running.url,
      db: database.db,
      database,
      tokens: byOrg,
      async token(org, scopes, extra = {}) {
        const token = `rpat_${randomBytes(20).toString("hex")}`;
        await database.db.insert(schema.personalAccessToken).values({
          userId: `user_${org}_1`,
          name: "test token",
          tokenHash: hashToken(token),
          displayPrefix: token.slice(0, 9),
          scopes: [...scopes],
          ...extra,
        });
        return token;
      },
      async connect(token) {
        const client = new Client({ name: "test", version: "0.0.0" });
        await client.connect(
          new StreamableHTTPClientTransport(new URL(running.url), {
            requestInit: { headers: { authorization: `Bearer ${token}` } },
          }),
        );
        clients.push(client);
        return client;
      },
      async close() {
        await Promise.allSettled(clients.map((client) => client.close()));
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

/** The JSON a successful tool call answered (its text content). */
export function resultOf<T = unknown>(result: unknown): T {
  const call = result as CallToolResult;
  if (call.isError) throw new Error(`tool error: ${textOf(call)}`);
  return JSON.parse(textOf(call)) as T;
}

export const textOf = (result: unknown) =>
  (result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("");
