import { env } from "../connection/env";
import { createCitusTestDatabase } from "./citus";

export { CITUS_DISTRIBUTION_COLUMN_UPDATE, withoutShardIds } from "./citus";

import { createEmbeddedTestDatabase } from "./embedded";

export { createEmbeddedDataDir } from "./embedded";

import { createServerTestDatabase } from "./server";
import type { TestDatabase } from "./types";

export { startDockerTestServer } from "./docker";
export { openTestReplica, type TestReplica } from "./replica";
export type { TestDatabase, TestDatabaseProvider } from "./types";

/**
 * One test file's isolated, fully migrated database. Providers, in order: TEST_CITUS_URL (a
 * Citus coordinator: tenant tables distributed), TEST_DATABASE_URL (a real server; a Docker
 * container started by `startDockerTestServer` sets it too), then embedded PGlite. Call
 * `dispose()` in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { TEST_CITUS_URL, TEST_DATABASE_URL, TEST_DATABASE_PROVIDER } = env();
  if (TEST_CITUS_URL) return createCitusTestDatabase(TEST_CITUS_URL);
  if (TEST_DATABASE_URL) {
    return createServerTestDatabase(TEST_DATABASE_URL, TEST_DATABASE_PROVIDER);
  }
  return createEmbeddedTestDatabase();
}
export { rootCause } from "../connection/errors";
