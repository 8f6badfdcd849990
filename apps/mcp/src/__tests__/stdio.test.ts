import { execFile } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { personalAccessToken } from "@repo/db/schema";
import { eq } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StdioStartupError, startStdioServer } from "../stdio-server";
import { resultValue, StreamClientTransport, startTestMcp, type TestMcp, textOf } from "./harness";

// stdio: on a server database the real entry (src/stdio.ts) runs as a child process, as an
// MCP client starts it; on the embedded database (one process owns a PGlite) the same server
// runs in this process over a stream pair with the SDK's stdio framing.

let mcp: TestMcp;
beforeAll(async () => {
  mcp = await startTestMcp();
});
afterAll(() => mcp?.close());

const appDir = fileURLToPath(new URL("../..", import.meta.url));
const ENTRY = ["--import", "tsx", "src/stdio.ts"];

/** The child's environment: the runtime role's URL of this test database, and the token. */
function childEnv(token: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== "DATABASE_URL" && name !== "MCP_TOKEN") env[name] = value;
  }
  env.APP_DATABASE_URL = mcp.database.appUrl as string;
  if (token !== undefined) env.MCP_TOKEN = token;
  return env;
}

/** A connected client over stdio with `token`, and how to stop it. */
async function stdioClient(token: string): Promise<{ client: Client; close(): Promise<void> }> {
  const client = new Client({ name: "stdio-test", version: "0.0.0" });
  if (mcp.database.appUrl) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ENTRY,
      cwd: appDir,
      env: childEnv(token),
      stderr: "pipe",
    });
    await client.connect(transport);
    return { client, close: () => client.close() };
  }
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = await startStdioServer({
    db: mcp.database.app,
    token,
    input: toServer,
    output: toClient,
  });
  await client.connect(new StreamClientTransport(toClient, toServer));
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** How startup ends with `token`: the child's exit code and stderr, or the in-process refusal. */
async function startupRefusal(token: string | undefined): Promise<string> {
  if (mcp.database.appUrl) {
    const run = promisify(execFile)(process.execPath, ENTRY, {
      cwd: appDir,
      env: childEnv(token),
      timeout: 60_000,
    });
    const failure = await run.then(
      () => {
        throw new Error("the stdio entry started with a refused token");
      },
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure.code).toBe(1);
    const lines = (failure.stderr ?? "").trim().split("\n");
    expect(lines).toHaveLength(1);
    return lines[0] as string;
  }
  const error = await startStdioServer({
    db: mcp.database.app,
    token,
    input: new PassThrough(),
    output: new PassThrough(),
  }).then(
    () => new Error("started"),
    (refused: unknown) => refused,
  );
  expect(error).toBeInstanceOf(StdioStartupError);
  return (error as Error).message;
}

describe("stdio", () => {
  it("can list the tools and call them with MCP_TOKEN", async () => {
    const { client, close } = await stdioClient(mcp.tokens.globex);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("search_documents");
      const page = resultValue<{ data: { organizationId: string }[] }>(
        await client.callTool({ name: "list_research_plans", arguments: {} }),
      );
      expect(page.data.length).toBeGreaterThan(0);
      expect(new Set(page.data.map((plan) => plan.organizationId))).toEqual(
        new Set(["org_globex"]),
      );
    } finally {
      await close();
    }
  });

  it("cannot call a tool without its scope: a tool error naming it", async () => {
    const { client, close } = await stdioClient(await mcp.token("globex", ["research:read"]));
    try {
      const result = await client.callTool({
        name: "ingest_document",
        arguments: { title: "No", content: "No scope." },
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("lacks the scope documents:write");
    } finally {
      await close();
    }
  });

  it("cannot start without MCP_TOKEN: one line saying what to set", async () => {
    expect(await startupRefusal(undefined)).toBe(
      "MCP_TOKEN is not set: set it to a personal access token (pnpm db:token create).",
    );
  });

  it("cannot start with an unknown, revoked or expired token: one line", async () => {
    const revoked = await mcp.token("acme", ["research:read"]);
    const expired = await mcp.token("acme", ["research:read"], 60_000);
    await mcp.database.db
      .update(personalAccessToken)
      .set({ revokedAt: new Date() })
      .where(eq(personalAccessToken.displayPrefix, revoked.slice(0, 9)));
    await mcp.database.db
      .update(personalAccessToken)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(personalAccessToken.displayPrefix, expired.slice(0, 9)));
    for (const token of ["rpat_unknown", revoked, expired]) {
      expect(await startupRefusal(token)).toMatch(/^MCP_TOKEN was refused/);
    }
  });

  it("cannot use a token revoked after startup: the next call is refused", async () => {
    const token = await mcp.token("acme", ["research:read"]);
    const { client, close } = await stdioClient(token);
    try {
      await mcp.database.db
        .update(personalAccessToken)
        .set({ revokedAt: new Date() })
        .where(eq(personalAccessToken.displayPrefix, token.slice(0, 9)));
      const result = await client.callTool({ name: "list_research_plans", arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        "A valid personal access token for this organization is required.",
      );
    } finally {
      await close();
    }
  });
});
