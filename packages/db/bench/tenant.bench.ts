// bench:tenant — what tenant isolation costs on a server. On 1,000,000 research_plan rows
// across 1,000 organizations, in one database and one run, interleaved:
//   (a) ops/s of a point lookup by id inside withTenantContext (app_runtime -> authenticated,
//       RLS supplies the tenant filter) beside the same lookup on a bare owner connection
//       with an explicit `organization_id = $org and id = $id`;
//   (b) the same for the 50 newest plans of an organization (~1,000 rows each);
//   (c) median / p95 latency of that list query filtered by RLS alone (inside
//       withTenantContext, no organization_id predicate) beside the explicit WHERE as owner,
//       plus the EXPLAIN (ANALYZE, BUFFERS) of the RLS query.
// Both sides use pools of the same size and the same concurrency; rounds alternate A/B, B/A
// so machine noise and drift hit both sides alike; figures are medians. With CONCURRENCY
// operations in flight a small machine is CPU-bound, so an ops/s ratio is mostly a ratio of
// CPU per operation (client and server): this process's share is printed beside it.
// Ends with `bench <name>=<value>` lines.
import { performance } from "node:perf_hooks";
import { and, desc, eq, sql } from "drizzle-orm";
import { createDatabase, type Database, type Transaction } from "../src/connection/client";
import { env, loadEnvFile } from "../src/connection/env";
import { rows } from "../src/connection/rows";
import { researchPlan, researchPlanStatus } from "../src/schema";
import { withTenantContext } from "../src/tenancy/context";
import { createServerTestDatabase } from "../src/testing/server";
import { median, quantile, random } from "./stats";

loadEnvFile();

const ORGANIZATIONS = 1_000;
const ROWS = 1_000_000;
const LIST_LIMIT = 50;
/** Pool size of both sides, and operations kept in flight by the ops/s driver. */
const POOL = 10;
const CONCURRENCY = 10;
const ROUND_MS = 1_500;
const WARMUP_MS = 1_500;
/** Rounds per side for ops/s (interleaved, so 2 x ROUNDS measurements per comparison). */
const ROUNDS = 7;
/** Latency: rounds per side x sequential queries per round. */
const LATENCY_ROUNDS = 6;
const LATENCY_QUERIES = 500;

type Op = (i: number) => Promise<unknown>;

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const next = random(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Measurement {
  opsPerSecond: number;
  /** This process's CPU time per operation (drizzle, postgres.js, syscalls), in µs. */
  clientCpuUs: number;
}

/** Completed operations per second with CONCURRENCY operations in flight for `ms`. */
async function measure(op: Op, ms: number): Promise<Measurement> {
  let next = 0;
  let done = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { opsPerSecond: done / (elapsed / 1000), clientCpuUs: (used.user + used.system) / done };
}

/** Warms both sides up, then ROUNDS rounds each, in the order A B, B A, A B, ... */
async function compareOps(context: Op, bare: Op) {
  await measure(context, WARMUP_MS);
  await measure(bare, WARMUP_MS);
  const contextRuns: Measurement[] = [];
  const bareRuns: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      contextRuns.push(await measure(context, ROUND_MS));
      bareRuns.push(await measure(bare, ROUND_MS));
    } else {
      bareRuns.push(await measure(bare, ROUND_MS));
      contextRuns.push(await measure(context, ROUND_MS));
    }
  }
  const summary = (runs: Measurement[]) => ({
    opsPerSecond: median(runs.map((run) => run.opsPerSecond)),
    clientCpuUs: median(runs.map((run) => run.clientCpuUs)),
    rounds: runs.map((run) => run.opsPerSecond.toFixed(0)).join(", "),
  });
  const result = { context: summary(contextRuns), bare: summary(bareRuns) };
  return {
    ...result,
    ratio: result.context.opsPerSecond / result.bare.opsPerSecond,
    // The same from each round's adjacent pair: less sensitive to drift across the run.
    pairedRatio: median(
      contextRuns.map((run, round) => run.opsPerSecond / bareRuns[round]!.opsPerSecond),
    ),
  };
}

// The queries, as application code writes them.
const pointByRls = (tx: Transaction, id: string) =>
  tx.select().from(researchPlan).where(eq(researchPlan.id, id)).limit(1);
const pointByWhere = (db: Database, organizationId: string, id: string) =>
  db
    .select()
    .from(researchPlan)
    .where(and(eq(researchPlan.organizationId, organizationId), eq(researchPlan.id, id)))
    .limit(1);
const listByRls = (tx: Transaction) =>
  tx.select().from(researchPlan).orderBy(desc(researchPlan.createdAt)).limit(LIST_LIMIT);
const listByWhere = (db: Database | Transaction, organizationId: string) =>
  db
    .select()
    .from(researchPlan)
    .where(eq(researchPlan.organizationId, organizationId))
    .orderBy(desc(researchPlan.createdAt))
    .limit(LIST_LIMIT);

/**
 * 1,000 organizations, then 1,000,000 plans in one INSERT ... SELECT from generate_series, as
 * the owner. Plan g belongs to organization g % 1000 + 1 (joined by slug), so an
 * organization's rows are spread over the heap as in a shared table, and created_at grows
 * with g (30 s apart, ~1 year), so "newest first" is meaningful. Ids are uuid-shaped md5s:
 * random order in the indexes, like crypto.randomUUID, but the same every run.
 * The insert skips the per-row foreign-key triggers (session_replication_role = replica, in
 * that transaction only): every organization_id comes from the join, created_by_id is null.
 * VACUUM ANALYZE rather than ANALYZE alone: it also sets hint bits and the visibility map, so
 * autovacuum does not wake up for these inserts in the middle of the measurements.
 */
async function load(db: Database) {
  const start = performance.now();
  // Schema constants, not input: written as literals so that Postgres folds the array once.
  const statuses = sql.raw(researchPlanStatus.enumValues.map((value) => `'${value}'`).join(", "));
  await db.execute(sql`
    insert into organization (id, name, slug)
    select md5('organization ' || g)::uuid::text, 'Organization ' || g, 'bench-org-' || g
    from generate_series(1, ${ORGANIZATIONS}::int) g`);
  // So that the join below hashes the 1,000 organizations and streams the series in order.
  await db.execute(sql`analyze organization`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`
      insert into research_plan
        (id, organization_id, title, objective, status, metadata, created_at, updated_at, completed_at)
      select id, organization_id, title, objective, status, metadata, created_at, created_at,
        case when status = 'completed' then created_at + interval '1 hour' end
      from (
        select
          md5('plan ' || g)::uuid::text as id,
          o.id as organization_id,
          'Research plan ' || g as title,
          'Find out what drives outcome ' || g as objective,
          (array[${statuses}]::research_plan_status[])[1 + g % ${researchPlanStatus.enumValues.length}::int] as status,
          '{"source": "bench"}'::jsonb as metadata,
          now() - (${ROWS}::int - g) * interval '30 seconds' as created_at
        from generate_series(1, ${ROWS}::int) g
        join organization o on o.slug = 'bench-org-' || (g % ${ORGANIZATIONS}::int + 1)
      ) plan`);
  });
  const loaded = performance.now() - start;
  await db.execute(sql`vacuum (analyze) research_plan`);
  return { loadMs: loaded, totalMs: performance.now() - start };
}

function report(
  what: string,
  name: string,
  result: Awaited<ReturnType<typeof compareOps>>,
  target: number,
) {
  const { context, bare, ratio } = result;
  console.log(
    `${what}, ${CONCURRENCY} in flight, pools of ${POOL}, median of ${ROUNDS} x ${ROUND_MS} ms: withTenantContext ${context.opsPerSecond.toFixed(0)} ops/s, bare owner + WHERE ${bare.opsPerSecond.toFixed(0)} ops/s -> ratio ${ratio.toFixed(3)} (target >= ${target.toFixed(2)})`,
  );
  if (ratio < target) console.log(`    ${name} misses its target (>= ${target.toFixed(2)})`);
  console.log(
    `    rounds (ops/s): context [${context.rounds}], bare [${bare.rounds}]; median of the per-round ratios ${result.pairedRatio.toFixed(3)}`,
  );
  console.log(
    `    client CPU per operation: context ${context.clientCpuUs.toFixed(0)} µs, bare ${bare.clientCpuUs.toFixed(0)} µs`,
  );
}

async function run(serverUrl: string) {
  const started = performance.now();
  const testDb = await createServerTestDatabase(serverUrl);
  const owner = createDatabase({ url: testDb.url!, max: POOL });
  const app = createDatabase({ url: testDb.appUrl!, max: POOL });
  const lines: string[] = [];
  try {
    const { loadMs, totalMs } = await load(testDb.db);
    console.log(
      `loaded ${ORGANIZATIONS} organizations and ${ROWS} research_plan rows in ${(loadMs / 1000).toFixed(1)} s (${(totalMs / 1000).toFixed(1)} s with VACUUM ANALYZE)`,
    );

    // Samples: every organization, and ~2,000 plans drawn from all over the table.
    const orgRows = await rows<{ id: string }>(
      owner.db,
      sql`select id from organization order by id`,
    );
    const orgs = shuffled(
      orgRows.map((row) => row.id),
      1,
    );
    const pointRows = await rows<{ id: string; organization_id: string }>(
      owner.db,
      sql`select id, organization_id from research_plan tablesample bernoulli (0.2) repeatable (42)`,
    );
    const points = shuffled(
      pointRows.map((row) => ({ id: row.id, organizationId: row.organization_id })),
      2,
    );
    const org = (i: number) => orgs[i % orgs.length]!;
    const point = (i: number) => points[i % points.length]!;

    // Sanity: both sides see the same rows, and RLS hides another organization's plan.
    const sample = point(0);
    const other = orgs.find((id) => id !== sample.organizationId)!;
    const [mine, foreign, bare, list] = await Promise.all([
      withTenantContext(app.db, { organizationId: sample.organizationId }, (tx) =>
        pointByRls(tx, sample.id),
      ),
      withTenantContext(app.db, { organizationId: other }, (tx) => pointByRls(tx, sample.id)),
      pointByWhere(owner.db, sample.organizationId, sample.id),
      withTenantContext(app.db, { organizationId: org(0) }, listByRls),
    ]);
    if (mine.length !== 1 || foreign.length !== 0 || bare.length !== 1)
      throw new Error("sanity check failed: RLS does not filter research_plan as expected");
    if (list.length !== LIST_LIMIT || list.some((row) => row.organizationId !== org(0)))
      throw new Error("sanity check failed: the RLS list query returned other rows");

    // EXPLAIN of the RLS-filtered list query, as the tenant sees it.
    const plan = await withTenantContext(app.db, { organizationId: org(1) }, (tx) =>
      rows(tx, sql`explain (analyze, buffers) ${listByRls(tx)}`),
    );
    const planLines = plan.map((row) => String(Object.values(row)[0]));
    const usesIndex = planLines.some((line) =>
      line.includes("research_plan_organizationId_createdAt_idx"),
    );
    const wherePlan = await rows(
      owner.db,
      sql`explain (analyze, buffers) ${listByWhere(owner.db, org(1))}`,
    );
    const whereScan = wherePlan
      .map((row) => String(Object.values(row)[0]))
      .find((line) => line.includes("Scan"));
    console.log("\nEXPLAIN (ANALYZE, BUFFERS) of the RLS list query inside withTenantContext:");
    const planEnd = planLines.findIndex((line) => line.startsWith("Planning"));
    for (const line of planLines.slice(0, planEnd > 0 ? planEnd : 8)) console.log(`  ${line}`);
    console.log(
      `-> ${usesIndex ? "uses" : "does NOT use"} research_plan_organizationId_createdAt_idx; explicit WHERE as owner:\n  ${whereScan?.trim()}\n`,
    );

    // (a) point lookup.
    const pointOps = await compareOps(
      (i) => {
        const p = point(i);
        return withTenantContext(app.db, { organizationId: p.organizationId }, (tx) =>
          pointByRls(tx, p.id),
        );
      },
      (i) => {
        const p = point(i);
        return pointByWhere(owner.db, p.organizationId, p.id);
      },
    );
    report("(a) point lookup by id", "tenant_point_ratio", pointOps, 0.8);

    // (b) list of the 50 newest plans.
    const listOps = await compareOps(
      (i) => withTenantContext(app.db, { organizationId: org(i) }, listByRls),
      (i) => listByWhere(owner.db, org(i)),
    );
    report(`(b) ${LIST_LIMIT} newest plans of an organization`, "tenant_list_ratio", listOps, 0.95);

    // (c) latency, one query at a time. Both queries are timed alone inside a transaction
    // (the RLS one inside withTenantContext, the explicit WHERE in an owner transaction), so
    // they run under the same conditions on a connection that has just been used: the
    // difference is RLS versus the explicit predicate. Also recorded: the whole
    // withTenantContext unit, and the explicit WHERE straight on the owner pool.
    const latency = {
      rls: [] as number[],
      where: [] as number[],
      unit: [] as number[],
      pool: [] as number[],
    };
    const timed = async (into: number[], query: () => Promise<unknown>) => {
      const start = performance.now();
      await query();
      into.push(performance.now() - start);
    };
    const sides = [
      (organizationId: string) =>
        timed(latency.unit, () =>
          withTenantContext(app.db, { organizationId }, (tx) =>
            timed(latency.rls, () => listByRls(tx)),
          ),
        ),
      (organizationId: string) =>
        owner.db.transaction((tx) => timed(latency.where, () => listByWhere(tx, organizationId))),
      (organizationId: string) => timed(latency.pool, () => listByWhere(owner.db, organizationId)),
    ];
    for (const side of sides) for (const id of orgs) await side(id);
    for (const samples of Object.values(latency)) samples.length = 0;
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      const batch = shuffled(orgs, 100 + round).slice(0, LATENCY_QUERIES);
      const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
      for (const side of order) for (const id of batch) await side(id);
    }
    const p50 = (samples: number[]) => median(samples).toFixed(3);
    const p95 = (samples: number[]) => quantile(samples, 0.95).toFixed(3);
    const latencyRatio = median(latency.rls) / median(latency.where);
    console.log(
      `(c) ${LIST_LIMIT} newest plans, one query at a time, ${latency.rls.length} per side, median / p95:`,
    );
    console.log(
      `    RLS (withTenantContext, no organization_id predicate) ${p50(latency.rls)} / ${p95(latency.rls)} ms; explicit WHERE as owner ${p50(latency.where)} / ${p95(latency.where)} ms -> ratio ${latencyRatio.toFixed(3)} (target <= 1.10)`,
    );
    if (latencyRatio > 1.1)
      console.log("    rls_vs_where_latency_ratio misses its target (<= 1.10)");
    console.log(
      `    whole withTenantContext unit (BEGIN + SET LOCAL, query, COMMIT) ${p50(latency.unit)} / ${p95(latency.unit)} ms; explicit WHERE on the owner pool, no transaction ${p50(latency.pool)} / ${p95(latency.pool)} ms`,
    );

    lines.push(
      `bench tenant_point_ratio=${pointOps.ratio.toFixed(3)}`,
      `bench tenant_list_ratio=${listOps.ratio.toFixed(3)}`,
      `bench rls_vs_where_latency_ratio=${latencyRatio.toFixed(3)}`,
      `bench tenant_point_ops_s_context=${pointOps.context.opsPerSecond.toFixed(0)}`,
      `bench tenant_point_ops_s_bare=${pointOps.bare.opsPerSecond.toFixed(0)}`,
      `bench tenant_point_client_cpu_us_context=${pointOps.context.clientCpuUs.toFixed(0)}`,
      `bench tenant_point_client_cpu_us_bare=${pointOps.bare.clientCpuUs.toFixed(0)}`,
      `bench tenant_list_ops_s_context=${listOps.context.opsPerSecond.toFixed(0)}`,
      `bench tenant_list_ops_s_bare=${listOps.bare.opsPerSecond.toFixed(0)}`,
      `bench tenant_list_client_cpu_us_context=${listOps.context.clientCpuUs.toFixed(0)}`,
      `bench tenant_list_client_cpu_us_bare=${listOps.bare.clientCpuUs.toFixed(0)}`,
      `bench rls_list_p50_ms=${p50(latency.rls)}`,
      `bench rls_list_p95_ms=${p95(latency.rls)}`,
      `bench where_list_p50_ms=${p50(latency.where)}`,
      `bench where_list_p95_ms=${p95(latency.where)}`,
      `bench rls_list_unit_p50_ms=${p50(latency.unit)}`,
      `bench rls_list_unit_p95_ms=${p95(latency.unit)}`,
      `bench where_list_pool_p50_ms=${p50(latency.pool)}`,
      `bench where_list_pool_p95_ms=${p95(latency.pool)}`,
      `bench tenant_load_s=${(totalMs / 1000).toFixed(1)}`,
    );
  } finally {
    await Promise.all([owner.close(), app.close()]);
    await testDb.dispose();
  }
  console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(lines.join("\n"));
}

const serverUrl = env().TEST_DATABASE_URL;
if (serverUrl) {
  await run(serverUrl);
} else {
  console.log(
    "bench:tenant skipped: needs a server (TEST_DATABASE_URL); PGlite has one session, so there is no pool to compare",
  );
}
