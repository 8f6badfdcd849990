// bench:seed — load-tier throughput: rows/s of `pnpm db:seed --tier load` on a fresh server
// database (the reference tier is seeded first and not counted). Ends with `bench` lines.
import { performance } from "node:perf_hooks";
import { env, loadEnvFile } from "../src/connection/env";
import { seed } from "../src/seeds";
import { createServerTestDatabase } from "../src/testing/server";

loadEnvFile();

const ORGS = 100;
const ROWS = 1_000;

const url = env().TEST_DATABASE_URL;
if (!url) {
  console.log("bench:seed skipped: needs a server (TEST_DATABASE_URL)");
  process.exit(0);
}
const testDb = await createServerTestDatabase(url);
try {
  await seed({ db: testDb.db, tier: "reference" });
  const started = performance.now();
  const result = await seed({
    db: testDb.db,
    tier: "load",
    load: { orgs: ORGS, rows: ROWS },
    log: (l) => console.log(l),
  });
  const seconds = (performance.now() - started) / 1000;
  const loaded = ORGS + 3 * ORGS * ROWS;
  console.log(
    `load tier: ${loaded} rows in ${seconds.toFixed(1)} s (${Object.keys(result.counts).length} tables)`,
  );
  console.log(`bench seed_rows=${loaded}`);
  console.log(`bench seed_seconds=${seconds.toFixed(2)}`);
  console.log(`bench seed_rows_per_s=${Math.round(loaded / seconds)}`);
} finally {
  await testDb.dispose();
}
