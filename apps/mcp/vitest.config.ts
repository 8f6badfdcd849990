import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Starts a pgvector container when Docker is reachable and TEST_DATABASE_URL is unset.
    globalSetup: ["./src/__tests__/global-setup.ts"],
    // Each file gets its own database and its own server on a random loopback port.
    // A bound for a hung test, not a speed check: a 2 s test took 30 s on 2 cores at load
    // average 20 (scripts/test-under-load.sh beside other builds); speed lives in `pnpm bench`.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The JSON report is what .ci/run counts.
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
