import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "../connection/client";
import { env } from "../connection/env";
import { DatabaseUnavailableError } from "../connection/errors";
import { migrationsFolder } from "../connection/paths";
import { rows } from "../connection/rows";
import { migrate, readJournal } from "../migrator";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import { createTestDatabase, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// Neon's serverless driver (WebSockets) through a local WebSocket-to-TCP proxy in front of
// TEST_DATABASE_URL's server (TEST_NEON_WS_PROXY, websockify in .ci/run). The isolation
// matrix and the API suite run on it as well; these are what only this driver needs.

const { TEST_DATABASE_URL, TEST_NEON_WS_PROXY } = env();
const enabled = Boolean(TEST_DATABASE_URL && TEST_NEON_WS_PROXY);
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe.skipIf(!enabled)("the neon-serverless driver", () => {
  it("can migrate an empty database through neon-serverless", async () => {
    const admin = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    const name = `repo_neon_${randomBytes(4).toString("hex")}`;
    await admin.unsafe(`create database "${name}"`);
    cleanup.push(async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    });
    const url = new URL(TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const handle = createDatabase({
      driver: "neon-serverless",
      url: url.href,
      wsProxy: TEST_NEON_WS_PROXY!,
      max: 2,
    });
    cleanup.push(() => handle.close());
    expect(handle.driver).toBe("neon-serverless");
    await migrate({ db: handle.db });
    const [applied] = await rows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(applied?.count).toBe(readJournal(migrationsFolder).length);
  });

  it("cannot commit a unit whose failed statement fn caught: rolled_back, nothing stored", async () => {
    const testDb: TestDatabase = await createTestDatabase();
    cleanup.push(() => testDb.dispose());
    const { orgA } = await seedTwoTenants(testDb.db);
    const unit = withTenantContext(testDb.app, { organizationId: orgA }, async (tx) => {
      await tx
        .insert(researchPlan)
        .values({ id: "neon_caught", organizationId: orgA, title: "t", objective: "o" });
      await tx.execute(sql`select 1/0`).catch(() => {});
      return "done";
    });
    await expect(unit).rejects.toBeInstanceOf(DatabaseUnavailableError);
    const stored = await rows(testDb.db, sql`select 1 from research_plan where id = 'neon_caught'`);
    expect(stored).toEqual([]);
  });
});
