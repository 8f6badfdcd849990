import { createRoute, z } from "@hono/zod-openapi";
import { type Database, migrationState } from "@repo/db";
import { describeError } from "../log";
import { json, router } from "../openapi";

const Migrations = z.object({
  applied: z.number().int(),
  expected: z.number().int(),
  newestApplied: z.number().nullable(),
  newestExpected: z.number().nullable(),
  upToDate: z.boolean(),
});

const Health = z
  .object({
    status: z.enum(["ok", "migrations_mismatch", "database_unavailable"]),
    migrations: Migrations.optional(),
  })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Whether the database answers with exactly this code's migrations",
  responses: {
    200: json(Health, "Ready."),
    503: json(Health, "The database is unavailable or its migrations differ from this code's."),
  },
});

/**
 * GET /health, without a token: 200 when the database answers and has exactly the migrations
 * this code ships, 503 otherwise. Read through public.migration_state() on the runtime role.
 */
export function healthRoutes(db: () => Database) {
  return router().openapi(healthRoute, async (c) => {
    try {
      const migrations = await migrationState(db());
      return migrations.upToDate
        ? c.json({ status: "ok" as const, migrations }, 200)
        : c.json({ status: "migrations_mismatch" as const, migrations }, 503);
    } catch (error) {
      c.var.log.warn(describeError(error), "GET /health: database unavailable");
      return c.json({ status: "database_unavailable" as const }, 503);
    }
  });
}
