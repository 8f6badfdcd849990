// bench:suite — wall-clock seconds of the README's test command (`pnpm test`, every package,
// turbo's cache bypassed) on embedded PGlite and, when TEST_DATABASE_URL is set, on that
// server. Run it on a quiet machine: it measures the suite, not its neighbours. Ends with
// `bench <name>=<value>` lines; targets on 2 cores: suite_embedded_s<=60, suite_server_s<=45.
import { spawnSync } from "node:child_process";
import { env, loadEnvFile } from "../src/connection/env";
import { repoRoot } from "../src/connection/paths";

loadEnvFile();

const TARGETS = { embedded: 60, server: 45 } as const;
/** Variables that point a test run at a server, pooler, replica or cluster. */
const PROVIDER_VARIABLES = [
  "DATABASE_URL",
  "TEST_DATABASE_URL",
  "TEST_POOLER_URL",
  "TEST_MODERN_POOLER_URL",
  "TEST_REPLICA_URL",
  "TEST_NEON_WS_PROXY",
  "TEST_CITUS_URL",
];

function timeSuite(extra: Record<string, string>): { seconds: number; passed: boolean } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of PROVIDER_VARIABLES) if (!(name in extra)) delete childEnv[name];
  const started = performance.now();
  const run = spawnSync(
    "pnpm",
    ["exec", "turbo", "run", "test", "--force", "--continue", "--output-logs=errors-only"],
    { cwd: repoRoot, env: childEnv, stdio: ["ignore", "ignore", "inherit"] },
  );
  return { seconds: (performance.now() - started) / 1000, passed: run.status === 0 };
}

const runs: [keyof typeof TARGETS, Record<string, string>][] = [["embedded", {}]];
const url = env().TEST_DATABASE_URL;
if (url) runs.push(["server", { TEST_DATABASE_URL: url }]);
else console.log("bench:suite: TEST_DATABASE_URL unset, the server suite skipped");

console.log("bench:suite: `pnpm test` (turbo --force), wall clock, one run per provider");
for (const [name, extra] of runs) {
  const { seconds, passed } = timeSuite(extra);
  const target = TARGETS[name];
  console.log(
    `  ${name}: ${seconds.toFixed(0)} s${passed ? "" : " (the suite FAILED)"} (target <= ${target} s)`,
  );
  if (seconds > target) console.log(`  suite_${name}_s misses its target (<= ${target} s)`);
  if (!passed) process.exitCode = 1;
  console.log(`bench suite_${name}_s=${seconds.toFixed(0)}`);
}
