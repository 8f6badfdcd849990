import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createLogger } from "../log";
import { KEEP_ALIVE_TIMEOUT_MS, type RunningServer, startServer } from "../serve";

// The HTTP server as clients meet it. No database: /openapi.json touches none.

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(createApp({ logger: createLogger("silent") }), {
    port: 0,
    hostname: "127.0.0.1",
  });
});
afterAll(() => server?.close(0));

describe("the HTTP server", () => {
  it("can keep an idle connection open longer than a load balancer would (it never closes first)", async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    await response.text();
    expect(response.headers.get("keep-alive")).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
  });
});
