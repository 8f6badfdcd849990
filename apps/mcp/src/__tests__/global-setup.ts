// vitest globalSetup: a pgvector container when Docker is reachable and TEST_DATABASE_URL is unset.
export { startDockerTestServer as default } from "@repo/db/testing";
