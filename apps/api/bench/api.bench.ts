// bench:api — what authentication and tenant context cost per HTTP request, in one run on
// one server: requests/s of GET /v1/research/plans?limit=20 (bearer token -> SECURITY DEFINER
// authenticate_token on the runtime role, then one withTenantContext transaction where RLS
// filters) beside a bench-only route on the same app instance serving the same query and JSON
// with no token and no tenant context (the owner connection, an explicit organization_id
// filter). Rounds alternate A/B, B/A; figures are medians. Load comes from autocannon in a
// worker thread over loopback; every round is bounded (ROUND_SECONDS).
// Database: TEST_DATABASE_URL when set (both sides get pools of the same size), else embedded
// PGlite in this process (one session: requests queue on it, so the ratio then includes the
// per-statement SET LOCAL ROLE the embedded runtime role needs).
// Ends with `bench <name>=<value>` lines.
import os from "node:os";
import { loadEnvFile } from "@repo/db";
import { seed } from "@repo/db/admin";
import { createTestDatabase } from "@repo/db/testing";
import autocannon from "autocannon";
import { createApp } from "../src/app";
import { startServer } from "../src/serve";
import { ownerPlanPage } from "./baseline";

loadEnvFile();

const ROUNDS = 3;
const ROUND_SECONDS = 3;
const WARMUP_SECONDS = 1;
const CONNECTIONS = 8;
const LIMIT = 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const database = await createTestDatabase();
const { tokens } = await seed({ db: database.db, tier: "dev" });
const acme = tokens.find((token) => token.organization === "org_acme");
if (!acme) throw new Error("the dev seed has no org_acme token");

const app = createApp({ db: database.app });
// Baseline, registered on this instance only: same query, same JSON, no auth, no transaction.
const page = { limit: LIMIT, cursor: undefined };
app.get("/bench/plans", async (c) =>
  c.json(await ownerPlanPage(database.db, acme.organization, page)),
);
const server = await startServer(app, { port: 0, hostname: "127.0.0.1" });

const sides = {
  tenant: {
    url: `${server.url}/v1/research/plans?limit=${LIMIT}`,
    headers: { authorization: `Bearer ${acme.token}` },
  },
  baseline: { url: `${server.url}/bench/plans`, headers: {} },
} as const;
type Side = keyof typeof sides;

async function run(side: Side, seconds: number): Promise<number> {
  const result = await autocannon({
    ...sides[side],
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed) throw new Error(`${side}: ${failed} failed requests of ${result.requests.total}`);
  return result.requests.total / seconds;
}

try {
  // Both sides must answer the same thing, or the comparison means nothing.
  const [tenant, baseline] = await Promise.all(
    (Object.keys(sides) as Side[]).map(async (side) => {
      const response = await fetch(sides[side].url, { headers: sides[side].headers });
      if (!response.ok) throw new Error(`${side}: HTTP ${response.status}`);
      return response.text();
    }),
  );
  if (tenant !== baseline) throw new Error("the tenant route and the baseline answer differently");

  console.log(
    `bench:api on ${database.provider} (${os.cpus().length} cores, Node ${process.version}): ${CONNECTIONS} connections, ${ROUNDS} rounds x ${ROUND_SECONDS} s per side, interleaved`,
  );
  await run("tenant", WARMUP_SECONDS);
  await run("baseline", WARMUP_SECONDS);
  const figures: Record<Side, number[]> = { tenant: [], baseline: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Side[] = round % 2 ? ["baseline", "tenant"] : ["tenant", "baseline"];
    for (const side of order) figures[side].push(await run(side, ROUND_SECONDS));
    console.log(
      `  round ${round + 1}: tenant ${figures.tenant.at(-1)!.toFixed(0)} req/s, baseline ${figures.baseline.at(-1)!.toFixed(0)} req/s`,
    );
  }
  const tenantRps = median(figures.tenant);
  const baselineRps = median(figures.baseline);
  console.log(`bench api_tenant_rps=${tenantRps.toFixed(0)}`);
  console.log(`bench api_baseline_rps=${baselineRps.toFixed(0)}`);
  console.log(`bench api_tenant_ratio=${(tenantRps / baselineRps).toFixed(3)}`);
} finally {
  await server.close(1_000);
  await database.dispose();
}
