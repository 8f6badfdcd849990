import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { createLogger } from "../log";
import { type RunningServer, startServer } from "../serve";

// The published contract: /openapi.json describes every route the app serves, validates as
// OpenAPI 3.1, and /docs renders every operation in a real browser. No database is needed:
// neither endpoint touches one.

const app = createApp({ logger: createLogger("silent") });

/** Endpoints that serve the contract itself (not part of it). */
const CONTRACT_ENDPOINTS = new Set(["/openapi.json", "/docs", "/docs/scalar.js"]);

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { in: string; name: string; schema?: unknown }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

async function openapi(): Promise<Document> {
  const response = await app.request("/openapi.json");
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

/** Every method + path the app routes to a handler, in OpenAPI's path syntax. */
function servedRoutes(): string[] {
  return [
    ...new Set(
      app.routes
        .filter((route) => route.method !== "ALL" && !CONTRACT_ENDPOINTS.has(route.path))
        .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`),
    ),
  ].sort();
}

const operationsOf = (document: Document) =>
  Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`))
    .sort();

describe("/openapi.json", () => {
  it("validates as an OpenAPI 3.1 document", async () => {
    const document = await openapi();
    expect((document as { openapi?: string }).openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it("lists every route the app serves, and nothing it does not", async () => {
    // A route added with app.get(...) instead of .openapi(createRoute(...)) fails here:
    // declare it in apps/api/src/routes/ with createRoute.
    expect(operationsOf(await openapi())).toEqual(servedRoutes());
  });

  it("gives every operation a JSON schema for its body, its path parameters and its responses", async () => {
    const document = await openapi();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          const parameter = operation.parameters?.find(
            (p) => p.in === "path" && `{${p.name}}` === name,
          );
          expect(parameter?.schema, `${where}: path parameter ${name}`).toBeDefined();
        }
        if (method === "post" || method === "patch") {
          expect(
            operation.requestBody?.content["application/json"]?.schema,
            `${where}: request body`,
          ).toBeDefined();
        }
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((status) => status.startsWith("2")),
          `${where}: a 2xx`,
        ).toBe(true);
        for (const [status, response] of Object.entries(operation.responses)) {
          if (status === "204") continue;
          expect(
            response.content?.["application/json"]?.schema,
            `${where} ${status}: response schema`,
          ).toBeDefined();
        }
      }
    }
  });

  it("describes every /v1 refusal with the error body", async () => {
    const document = await openapi();
    for (const [path, methods] of Object.entries(document.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const [method, operation] of Object.entries(methods)) {
        for (const status of ["400", "401", "503"]) {
          expect(
            operation.responses[status]?.content?.["application/json"]?.schema,
            `${method} ${path} ${status}`,
          ).toEqual({ $ref: "#/components/schemas/Error" });
        }
      }
    }
  });
});

/** Debian's chromium, or CHROMIUM_BIN; undefined when the machine has neither. */
function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_BIN
    ? [process.env.CHROMIUM_BIN]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .flatMap((dir) =>
          ["chromium", "chromium-browser", "google-chrome"].map((b) => join(dir, b)),
        );
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const chromium = findChromium();

describe.skipIf(!chromium)("/docs in headless Chromium", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(app, { port: 0, hostname: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close(0);
  });

  it("renders every operation of /openapi.json", { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      chromium!,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--virtual-time-budget=20000",
        "--dump-dom",
        `${server.url}/docs`,
      ],
      { timeout: 100_000, maxBuffer: 64 * 1024 * 1024 },
    );
    const text = stdout.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    const missing = operationsOf(await openapi()).filter((operation) => !text.includes(operation));
    expect(missing, "operations the page does not show").toEqual([]);
  });
});
