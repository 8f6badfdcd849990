import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "./context";

const TITLE = "Research API";

/** Scalar's page script, served from node_modules: its default CDN needs the internet. */
async function scalarBundle(): Promise<Buffer> {
  const entry = createRequire(import.meta.url).resolve("@scalar/api-reference");
  return readFile(join(dirname(entry), "browser", "standalone.js"));
}

/**
 * GET /openapi.json (OpenAPI 3.1, generated from the routes' zod schemas) and GET /docs (an
 * API reference page rendering it), without a token.
 */
export function apiReference(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A personal access token (`pnpm db:seed` prints the demo ones).",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: TITLE,
      version: "1",
      description:
        "Research plans, documents, search and AI usage of one organization per request. " +
        "Errors are `{ error: { code, message, fields? } }`; `X-Organization-Id` picks the " +
        "organization when the token's user belongs to several.",
    },
  });
  let bundle: Promise<Buffer> | undefined;
  app.get("/docs/scalar.js", async (c) => {
    bundle ??= scalarBundle();
    return c.body(new Uint8Array(await bundle), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=86400",
    });
  });
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      cdn: "/docs/scalar.js",
      pageTitle: TITLE,
      defaultOpenAllTags: true,
      // Nothing that calls out of the machine: no web fonts, telemetry or hosted AI agent.
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
      showDeveloperTools: "never",
    }),
  );
}
