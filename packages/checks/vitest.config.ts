import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Each test runs a whole tool (depcruise, biome, knip...) over fixture trees: seconds when
    // quiet, several times that on a loaded machine. Bounds for a hang, not for speed.
    // Files share their worker's loaded modules (no re-import per file).
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});
