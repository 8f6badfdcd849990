// bench:citus — a tenant unit on the Citus cluster (TEST_CITUS_URL, .ci/citus.sh: coordinator +
// 2 workers) beside the same unit on the plain server (TEST_DATABASE_URL), in one run,
// interleaved. Same data on both: 20,000 research_plan rows across 100 organizations. Units
// run as app_runtime -> authenticated under RLS and filter on organization_id explicitly, so
// Citus plans them as router queries (one shard, one worker):
//   point: one plan by (organization_id, id);
//   list:  the organization's 50 newest plans.
// Also on Citus: the list filtered by RLS alone (no organization_id predicate), which Citus
// cannot prune and sends to every shard. Figures are medians of sequential units (latency,
// ms); rounds alternate plain/Citus. On one machine the coordinator, both workers and the
// plain server share the same cores: the ratios say what the extra hop (coordinator ->
// worker) costs here, not what a cluster of machines would do under load.
// Ends with `bench <name>=<value>` lines.
import { desc, sql } from "drizzle-orm";
import type { Database } from "../src/connection/client";
import { env, loadEnvFile } from "../src/connection/env";
import { researchPlan } from "../src/schema";
import { withTenantContext } from "../src/tenancy/context";
import { createCitusTestDatabase } from "../src/testing/citus";
import { createServerTestDatabase } from "../src/testing/server";
import type { TestDatabase } from "../src/testing/types";
import { median, time } from "./stats";

loadEnvFile();

const ORGANIZATIONS = 100;
const ROWS = 20_000;
const LIST_LIMIT = 50;
const ROUNDS = 6;
const QUERIES = 150;
const WARMUP = 100;

const organizationOf = (i: number) => `bench_org_${(i * 37) % ORGANIZATIONS}`;
/** Plans are numbered so that plan g belongs to organization g % ORGANIZATIONS. */
const planOf = (i: number) => {
  const org = (i * 37) % ORGANIZATIONS;
  return `bench_plan_${org + ORGANIZATIONS * (1 + (i % (ROWS / ORGANIZATIONS - 1)))}`;
};

type Op = (db: Database, i: number) => Promise<unknown>;

const point: Op = (db, i) =>
  withTenantContext(db, { organizationId: organizationOf(i) }, (tx) =>
    tx
      .select()
      .from(researchPlan)
      .where(
        sql`${researchPlan.organizationId} = ${organizationOf(i)} and ${researchPlan.id} = ${planOf(i)}`,
      ),
  );

const list: Op = (db, i) =>
  withTenantContext(db, { organizationId: organizationOf(i) }, (tx) =>
    tx
      .select()
      .from(researchPlan)
      .where(sql`${researchPlan.organizationId} = ${organizationOf(i)}`)
      .orderBy(desc(researchPlan.createdAt))
      .limit(LIST_LIMIT),
  );

const listByRlsAlone: Op = (db, i) =>
  withTenantContext(db, { organizationId: organizationOf(i) }, (tx) =>
    tx.select().from(researchPlan).orderBy(desc(researchPlan.createdAt)).limit(LIST_LIMIT),
  );

async function load(testDb: TestDatabase) {
  await testDb.db.execute(sql`
    insert into organization (id, name, slug)
    select 'bench_org_' || g, 'Organization ' || g, 'bench-org-' || g
    from generate_series(0, ${ORGANIZATIONS - 1}::int) g`);
  await testDb.db.execute(sql`
    insert into research_plan (id, organization_id, title, objective, created_at)
    select 'bench_plan_' || g, 'bench_org_' || (g % ${ORGANIZATIONS}::int), 'Plan ' || g,
      'Objective ' || g, now() - g * interval '1 second'
    from generate_series(0, ${ROWS - 1}::int) g`);
  await testDb.db.execute(sql`analyze research_plan`);
}

/** Median latency (ms) of `op` run QUERIES times in a row, starting at operation `from`. */
async function latency(db: Database, op: Op, from: number): Promise<number> {
  const samples: number[] = [];
  for (let i = from; i < from + QUERIES; i++) samples.push(await time(() => op(db, i)));
  return median(samples);
}

async function run(serverUrl: string, citusUrl: string) {
  const plain = await createServerTestDatabase(serverUrl);
  const citus = await createCitusTestDatabase(citusUrl);
  try {
    await Promise.all([load(plain), load(citus)]);
    for (const [db, op] of [
      [plain.app, point],
      [citus.app, point],
      [plain.app, list],
      [citus.app, list],
      [citus.app, listByRlsAlone],
    ] as const) {
      for (let i = 0; i < WARMUP; i++) await op(db, i);
    }
    const figures = { point: { plain: [], citus: [] }, list: { plain: [], citus: [] } } as Record<
      "point" | "list",
      { plain: number[]; citus: number[] }
    >;
    const fanout: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const from = round * QUERIES;
      for (const [name, op] of [
        ["point", point],
        ["list", list],
      ] as const) {
        const sides =
          round % 2 === 0 ? (["plain", "citus"] as const) : (["citus", "plain"] as const);
        for (const side of sides) {
          figures[name][side].push(
            await latency(side === "plain" ? plain.app : citus.app, op, from),
          );
        }
      }
      fanout.push(await latency(citus.app, listByRlsAlone, from));
    }
    const [shards] = (await citus.db.execute(
      sql`select count(*)::int as count from pg_dist_shard where logicalrelid = 'research_plan'::regclass`,
    )) as unknown as { count: number }[];
    for (const name of ["point", "list"] as const) {
      const plainMs = median(figures[name].plain);
      const citusMs = median(figures[name].citus);
      console.log(
        `${name}: plain server ${plainMs.toFixed(2)} ms, Citus router ${citusMs.toFixed(2)} ms per unit (median of ${ROUNDS} interleaved rounds x ${QUERIES})`,
      );
      console.log(`bench citus_${name}_ms_plain=${plainMs.toFixed(2)}`);
      console.log(`bench citus_${name}_ms_citus=${citusMs.toFixed(2)}`);
      console.log(`bench citus_${name}_ratio=${(citusMs / plainMs).toFixed(2)}`);
    }
    const fanoutMs = median(fanout);
    console.log(
      `list by RLS alone on Citus (every one of ${shards?.count} shards): ${fanoutMs.toFixed(2)} ms per unit`,
    );
    console.log(`bench citus_list_rls_only_ms_citus=${fanoutMs.toFixed(2)}`);
  } finally {
    await Promise.all([plain.dispose(), citus.dispose()]);
  }
}

const { TEST_DATABASE_URL, TEST_CITUS_URL } = env();
if (TEST_DATABASE_URL && TEST_CITUS_URL) {
  await run(TEST_DATABASE_URL, TEST_CITUS_URL);
} else {
  console.log(
    "bench:citus skipped: needs the plain server (TEST_DATABASE_URL) and a Citus coordinator (TEST_CITUS_URL, .ci/citus.sh)",
  );
}
