// bench:rtt — round trips per operation, and what they cost across a network. A counting,
// delaying TCP proxy (rtt-proxy.ts) sits between every client here and the server; each
// operation runs once to count its round trips, then alternately with its baseline at 0,
// 0.5 and 1 ms one-way delay (medians of sequential runs: latency, not throughput):
//   bare       a prepared drizzle query as the owner (explicit organization_id filter)
//   unit       withTenantContext of that one statement (runtime role, RLS)
//   unit_ro    the same unit with { readOnly: true } (BEGIN READ ONLY; the replica's path)
//   unit3      a unit of three dependent statements (the last through commitWith)
//   api_get    GET /v1/research/plans/:id with a bearer token (token check + unit)
//   api_list   GET /v1/research/plans?limit=20
//   route      the same plan by id from a route with no token and no unit (owner, 1 query)
//   route_list the same page of plans from such a route
// Pools of one connection each, warmed up, so every statement is a cached prepared one.
// Needs TEST_DATABASE_URL. Ends with `bench <name>=<value>` lines; targets:
// rtt_tenant_unit=1, rtt_tenant_unit_read_only=1, rtt_tenant_unit_3<=3, rtt_api_get<=2, tenant_point_ratio_1ms>=0.9,
// api_get_ratio_1ms>=0.8.
import { commitWith, loadEnvFile, withTenantContext } from "@repo/db";
import { createDatabase, seed } from "@repo/db/admin";
import { and, eq, schema } from "@repo/db/sql";
import { createTestDatabase } from "@repo/db/testing";
import { createApp } from "../src/app";
import { createLogger } from "../src/log";
import { startServer } from "../src/serve";
import { ownerPlanPage } from "./baseline";
import { RoundTripProxy } from "./rtt-proxy";

loadEnvFile();

const DELAYS_MS = [0, 0.5, 1];
const RUNS = 200;
const ROUNDS = 3;

if (!process.env.TEST_DATABASE_URL) {
  console.log("bench:rtt skipped: needs a server (TEST_DATABASE_URL)");
  process.exit(0);
}

const { researchPlan, researchStep } = schema;
const database = await createTestDatabase();
const { tokens } = await seed({ db: database.db, tier: "dev" });
const acme = tokens.find((t) => t.organization === "org_acme");
if (!acme || !database.url || !database.appUrl) throw new Error("dev seed or server URLs missing");
const PLAN = "plan_acme_1";

const server = new URL(database.url);
const proxy = new RoundTripProxy({ host: server.hostname, port: Number(server.port || 5432) });
const proxyPort = await proxy.listen();
const viaProxy = (url: string) => {
  const next = new URL(url);
  next.hostname = "127.0.0.1";
  next.port = String(proxyPort);
  return next.toString();
};
const owner = createDatabase({ url: viaProxy(database.url), max: 1 });
const app = createDatabase({ url: viaProxy(database.appUrl), max: 1 });
const context = { organizationId: acme.organization };

const api = createApp({ db: app.db, logger: createLogger("silent") });
api.get("/bench/plans/:id", async (c) => {
  const [plan] = await owner.db
    .select()
    .from(researchPlan)
    .where(
      and(
        eq(researchPlan.organizationId, acme.organization),
        eq(researchPlan.id, c.req.param("id")),
      ),
    );
  return c.json({ data: plan });
});
api.get("/bench/plans", async (c) => {
  const page = { limit: 20, cursor: undefined };
  return c.json(await ownerPlanPage(owner.db, acme.organization, page));
});
const http = await startServer(api, { port: 0, hostname: "127.0.0.1" });
const get = async (path: string, token?: string) => {
  const response = await fetch(`${http.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
};

const operations = {
  bare: () =>
    owner.db
      .select()
      .from(researchPlan)
      .where(and(eq(researchPlan.organizationId, acme.organization), eq(researchPlan.id, PLAN))),
  unit: () =>
    withTenantContext(app.db, context, (tx) =>
      tx.select().from(researchPlan).where(eq(researchPlan.id, PLAN)),
    ),
  unit_ro: () =>
    withTenantContext(
      app.db,
      context,
      (tx) => tx.select().from(researchPlan).where(eq(researchPlan.id, PLAN)),
      { readOnly: true },
    ),
  unit3: () =>
    withTenantContext(app.db, context, async (tx) => {
      const [plan] = await tx.select().from(researchPlan).where(eq(researchPlan.id, PLAN));
      const steps = await tx.$count(researchStep, eq(researchStep.planId, plan?.id ?? ""));
      return commitWith(
        tx
          .select()
          .from(researchStep)
          .where(eq(researchStep.planId, PLAN))
          .limit(Math.max(1, steps)),
      );
    }),
  api_get: () => get(`/v1/research/plans/${PLAN}`, acme.token),
  api_list: () => get("/v1/research/plans?limit=20", acme.token),
  route: () => get(`/bench/plans/${PLAN}`),
  route_list: () => get("/bench/plans"),
};
type Operation = keyof typeof operations;

async function roundTrips(operation: Operation): Promise<number> {
  await operations[operation](); // prepared and cached first
  proxy.reset();
  await operations[operation]();
  return proxy.roundTrips;
}

async function medianMs(operation: Operation): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await operations[operation]();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Baseline and operation in alternating order, ROUNDS times; the median of each side's medians. */
async function ratio(operation: Operation, baseline: Operation): Promise<number> {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [baseline, operation] : [operation, baseline];
    for (const side of order) (side === operation ? ours : theirs).push(await medianMs(side));
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `    ${operation} ${mid(ours).toFixed(3)} ms, ${baseline} ${mid(theirs).toFixed(3)} ms (medians)`,
  );
  return mid(theirs) / mid(ours);
}

try {
  console.log(
    `bench:rtt on ${database.provider}: round trips counted by a TCP proxy; latency ratios from ${RUNS} sequential runs x ${ROUNDS} rounds per side and delay`,
  );
  const counts = {
    rtt_bare: await roundTrips("bare"),
    rtt_tenant_unit: await roundTrips("unit"),
    rtt_tenant_unit_read_only: await roundTrips("unit_ro"),
    rtt_tenant_unit_3: await roundTrips("unit3"),
    rtt_api_get: await roundTrips("api_get"),
    rtt_api_list: await roundTrips("api_list"),
    rtt_bare_route: await roundTrips("route"),
  };
  for (const [name, value] of Object.entries(counts)) console.log(`bench ${name}=${value}`);
  const misses = (name: string, value: number, ok: boolean, target: string) => {
    if (!ok) console.log(`    ${name}=${value} misses its target (${target})`);
  };
  misses("rtt_tenant_unit", counts.rtt_tenant_unit, counts.rtt_tenant_unit === 1, "= 1");
  misses(
    "rtt_tenant_unit_read_only",
    counts.rtt_tenant_unit_read_only,
    counts.rtt_tenant_unit_read_only === 1,
    "= 1",
  );
  misses("rtt_tenant_unit_3", counts.rtt_tenant_unit_3, counts.rtt_tenant_unit_3 <= 3, "<= 3");
  misses("rtt_api_get", counts.rtt_api_get, counts.rtt_api_get <= 2, "<= 2");

  for (const delay of DELAYS_MS) {
    proxy.delayMs = delay;
    const suffix = `${String(delay).replace(".", "")}ms`;
    const point = await ratio("unit", "bare");
    console.log(`bench tenant_point_ratio_${suffix}=${point.toFixed(2)}`);
    const apiGet = await ratio("api_get", "route");
    console.log(`bench api_get_ratio_${suffix}=${apiGet.toFixed(2)}`);
    if (delay === 1) {
      misses("tenant_point_ratio_1ms", Number(point.toFixed(2)), point >= 0.9, ">= 0.9");
      misses("api_get_ratio_1ms", Number(apiGet.toFixed(2)), apiGet >= 0.8, ">= 0.8");
    }
    console.log(
      `bench api_list_ratio_${suffix}=${(await ratio("api_list", "route_list")).toFixed(2)}`,
    );
  }
} finally {
  await http.close(1_000);
  await Promise.all([owner.close(), app.close()]);
  await proxy.close();
  await database.dispose();
}
