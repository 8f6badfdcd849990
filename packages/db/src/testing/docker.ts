import type { TestProject } from "vitest/node";
import { env } from "../connection/env";

/**
 * vitest global setup for machines with a Docker engine and no TEST_DATABASE_URL: starts one
 * pgvector container for the whole run and hands its URL to the test workers, which then use
 * the server provider (template + clone) against it. Without Docker it does nothing and the
 * tests use embedded PGlite.
 */
export async function startDockerTestServer(
  _project?: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  if (env().TEST_DATABASE_URL || env().TEST_CITUS_URL) return undefined;
  const { getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined; // No reachable Docker engine.
  }
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer("pgvector/pgvector:pg17")
    .withDatabase("postgres")
    .withUsername("postgres")
    .withPassword("postgres")
    .start();
  // Workers start after global setup and inherit the environment: hand the URL over there.
  process.env.TEST_DATABASE_URL = container.getConnectionUri();
  process.env.TEST_DATABASE_PROVIDER = "docker";
  return async () => {
    await container.stop();
  };
}
