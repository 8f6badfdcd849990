import { type Database, migrationState } from "@repo/db";
import { Hono } from "hono";
import type { AppEnv } from "../context";

/**
 * GET /health, without a token: 200 when the database answers and has exactly the migrations
 * this code ships, 503 otherwise. Read through public.migration_state() on the runtime role.
 */
export function healthRoutes(db: () => Database) {
  return new Hono<AppEnv>().get("/health", async (c) => {
    try {
      const migrations = await migrationState(db());
      return c.json(
        { status: migrations.upToDate ? "ok" : "migrations_mismatch", migrations },
        migrations.upToDate ? 200 : 503,
      );
    } catch (error) {
      console.error("[api] GET /health: database unavailable:", error);
      return c.json({ status: "database_unavailable" }, 503);
    }
  });
}
