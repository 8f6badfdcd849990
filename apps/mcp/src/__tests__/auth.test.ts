import { personalAccessToken } from "@repo/db/schema";
import { eq } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpClient, startTestMcp, type TestMcp } from "./harness";

// Streamable HTTP authentication: every refused token is the same 401 before any MCP message
// is handled.

let mcp: TestMcp;
beforeAll(async () => {
  mcp = await startTestMcp();
});
afterAll(() => mcp?.close());

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "0" },
  },
};

async function post(token: string | null) {
  return fetch(mcp.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(initialize),
  });
}

describe("Streamable HTTP authentication", () => {
  it("can initialize with a valid token", async () => {
    const response = await post(mcp.tokens.acme);
    expect(response.status).toBe(200);
    const client = await httpClient(mcp.url, mcp.tokens.acme);
    expect(client.getServerVersion()?.name).toBe("repo-research");
    await client.close();
  });

  it("cannot connect without a token: 401 with WWW-Authenticate", async () => {
    const response = await post(null);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="mcp"');
    await expect(httpClient(mcp.url, null)).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining("valid personal access token"),
    });
  });

  it("cannot connect with an unknown token: 401", async () => {
    expect((await post("rpat_unknown")).status).toBe(401);
  });

  it("cannot connect with a revoked token: 401", async () => {
    const token = await mcp.token("acme", ["research:read"]);
    expect((await post(token)).status).toBe(200);
    await mcp.database.db
      .update(personalAccessToken)
      .set({ revokedAt: new Date() })
      .where(eq(personalAccessToken.displayPrefix, token.slice(0, 9)));
    expect((await post(token)).status).toBe(401);
    await expect(httpClient(mcp.url, token)).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining("valid personal access token"),
    });
  });

  it("cannot connect with an expired token: 401", async () => {
    const token = await mcp.token("acme", ["research:read"], 60_000);
    await mcp.database.db
      .update(personalAccessToken)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(personalAccessToken.displayPrefix, token.slice(0, 9)));
    expect((await post(token)).status).toBe(401);
  });

  it("cannot open a server stream or a session: GET and DELETE are 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(mcp.url, {
        method,
        headers: { authorization: `Bearer ${mcp.tokens.acme}` },
      });
      expect(response.status, method).toBe(405);
    }
  });
});
