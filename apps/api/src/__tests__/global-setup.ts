// vitest globalSetup: the root .env first (test workers inherit it), then a pgvector container
// when Docker is reachable and TEST_DATABASE_URL is unset. Loaded here rather than in
// vitest.config.ts: the config is bundled and cannot import @repo/db's TypeScript source.
import { loadEnvFile } from "@repo/db";
import { startDockerTestServer } from "@repo/db/testing";

loadEnvFile();

export default startDockerTestServer;
