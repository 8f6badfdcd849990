import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "@repo/db/admin";
import { sql } from "@repo/db/sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createLogger } from "../log";
import { type RunningServer, startServer } from "../serve";
import { type ErrorBody, startTestApi, type TestApi } from "./harness";

// The production entry's rules, on a server: it never serves with the owner's powers, and a
// statement past its bound is a 504, not a 500.

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const onServer = !!process.env.TEST_DATABASE_URL && !process.env.TEST_POOLER_URL;

let api: TestApi;
beforeAll(async () => {
  if (onServer) api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

/** Runs src/server.ts with `env` until it exits or `ms` pass. */
function runEntry(env: Record<string, string>, ms: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
      cwd: apiDir,
      env: { ...process.env, APP_DATABASE_URL: "", PORT: "0", LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGTERM"), ms);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(!onServer)("the production entry (src/server.ts)", () => {
  it("cannot start with only the owner's URL: exit 1, the fix named in one line", async () => {
    const { code, output } = await runEntry(
      { NODE_ENV: "production", DATABASE_URL: ownerUrl() },
      30_000,
    );
    expect(code).toBe(1);
    expect(output).toMatch(
      /Refusing to serve: the app's login postgres is a superuser .* Connect as app_runtime \(APP_DATABASE_URL=/,
    );
  }, 40_000);

  it("can answer a statement cut off by statement_timeout with 504", async () => {
    // This database only: app_runtime's logins to it get a 200 ms bound.
    const database = new URL(api.appUrl!).pathname.slice(1);
    await api.db.execute(
      sql.raw(`alter role app_runtime in database "${database}" set statement_timeout = '200ms'`),
    );
    const handle = createDatabase({ url: api.appUrl!, max: 2 });
    let server: RunningServer | undefined;
    try {
      const app = createApp({ db: handle.db, logger: createLogger("silent") });
      app.get("/v1/test/slow", async (c) =>
        c.json(await c.var.tenant((tx) => tx.execute(sql`select pg_sleep(2)`))),
      );
      server = await startServer(app, { port: 0, hostname: "127.0.0.1" });
      const response = await fetch(`${server.url}/v1/test/slow`, {
        headers: { authorization: `Bearer ${api.tokens.acme}` },
      });
      const body = (await response.json()) as ErrorBody;
      expect([response.status, body.error.code]).toEqual([504, "timeout"]);
    } finally {
      await server?.close(1_000);
      await handle.close();
      await api.db.execute(
        sql.raw(`alter role app_runtime in database "${database}" reset statement_timeout`),
      );
    }
  });
});

/** The owner's URL of this file's database (the harness keeps the owner handle only). */
function ownerUrl(): string {
  const url = new URL(api.appUrl!);
  const server = new URL(process.env.TEST_DATABASE_URL!);
  url.username = server.username;
  url.password = server.password;
  url.host = server.host;
  return url.toString();
}
