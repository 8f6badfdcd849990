import { defineConfig } from "vitest/config";
import { loadEnvFile } from "./src/connection/env";

loadEnvFile();

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Starts a pgvector container when Docker is reachable and TEST_DATABASE_URL is unset.
    globalSetup: ["./src/testing/global-setup.ts"],
    // Each file gets its own database; PGlite start-up and CREATE DATABASE are the slow parts.
    // A bound for a hung test, not a speed check: a 2 s test took 30 s on 2 cores at load
    // average 20 (scripts/test-under-load.sh beside other builds); speed lives in `pnpm bench`.
    // Files share their worker's loaded modules rather than importing drizzle, postgres.js and
    // PGlite again for each (about 1.5 s of CPU per file). Each file opens its own database
    // and hands it over explicitly; none relies on a fresh module state.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The JSON report is what .ci/run counts.
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
