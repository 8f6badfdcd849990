// bench:replica — read throughput of tenant units with 1 primary + 1 streaming replica beside
// the primary alone, in one run, interleaved. 100,000 research_plan rows across 100
// organizations; the operation is a read-only tenant unit listing an organization's 50 newest
// plans (RLS filters, one round trip). Side "primary": 20 units in flight on a pool of 20 on
// the primary. Side "primary + replica": the same 20 in flight, alternately on the primary
// and on the replica (pools of 10 each). Rounds alternate A/B, B/A; figures are medians.
// Needs TEST_DATABASE_URL and TEST_REPLICA_URL (.ci/replica.sh). On one machine both servers
// share the same cores (and this process): the replica adds connections, not CPU, so the
// ratio says what routing costs here, not what a replica on its own machine would add.
// Ends with `bench <name>=<value>` lines.
import { performance } from "node:perf_hooks";
import { desc, sql } from "drizzle-orm";
import { createDatabase, type Database } from "../src/connection/client";
import { env } from "../src/connection/env";
import { researchPlan } from "../src/schema";
import { withTenantContext } from "../src/tenancy/context";
import { openTestReplica } from "../src/testing/replica";
import { createServerTestDatabase } from "../src/testing/server";
import { median } from "./stats";

const ORGANIZATIONS = 100;
const ROWS = 100_000;
const IN_FLIGHT = 20;
const ROUND_MS = 1_500;
const ROUNDS = 5;

type Op = (i: number) => Promise<unknown>;

async function measure(op: Op, ms: number): Promise<number> {
  let next = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return done / ((performance.now() - start) / 1000);
}

const organizationOf = (i: number) => `bench_org_${(i * 37) % ORGANIZATIONS}`;

const listOn = (db: Database) => (i: number) =>
  withTenantContext(
    db,
    { organizationId: organizationOf(i) },
    (tx) => tx.select().from(researchPlan).orderBy(desc(researchPlan.createdAt)).limit(50),
    { readOnly: true },
  );

async function run(serverUrl: string) {
  const testDb = await createServerTestDatabase(serverUrl);
  try {
    await testDb.db.execute(sql`
      insert into organization (id, name, slug)
      select 'bench_org_' || g, 'Organization ' || g, 'bench-org-' || g
      from generate_series(0, ${ORGANIZATIONS - 1}::int) g`);
    await testDb.db.execute(sql`
      insert into research_plan (id, organization_id, title, objective, created_at)
      select 'bench_plan_' || g, 'bench_org_' || (g % ${ORGANIZATIONS}::int), 'Plan ' || g,
        'Objective ' || g, now() - g * interval '1 second'
      from generate_series(1, ${ROWS}::int) g`);
    await testDb.db.execute(sql`vacuum (analyze) research_plan`);
    // Waits for the standby to replay the load.
    const replica = await openTestReplica(testDb);
    const primaryAlone = createDatabase({ url: testDb.appUrl!, max: IN_FLIGHT });
    const primaryHalf = createDatabase({ url: testDb.appUrl!, max: IN_FLIGHT / 2 });
    // The same database and login on the standby.
    const onStandby = new URL(testDb.appUrl!);
    onStandby.port = new URL(env().TEST_REPLICA_URL!).port;
    const replicaHalf = createDatabase({ url: onStandby.href, max: IN_FLIGHT / 2 });
    try {
      const alone = listOn(primaryAlone.db);
      const onPrimary = listOn(primaryHalf.db);
      const onReplica = listOn(replicaHalf.db);
      const both: Op = (i) => (i % 2 === 0 ? onPrimary(i) : onReplica(i));
      await measure(alone, ROUND_MS);
      await measure(both, ROUND_MS);
      const a: number[] = [];
      const b: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          a.push(await measure(alone, ROUND_MS));
          b.push(await measure(both, ROUND_MS));
        } else {
          b.push(await measure(both, ROUND_MS));
          a.push(await measure(alone, ROUND_MS));
        }
      }
      const primaryOps = median(a);
      const bothOps = median(b);
      console.log(
        `read units/s: primary alone ${primaryOps.toFixed(0)}, primary + replica ${bothOps.toFixed(0)} (${IN_FLIGHT} in flight, medians of ${ROUNDS} interleaved rounds)`,
      );
      console.log(`bench replica_read_ops_primary=${primaryOps.toFixed(0)}`);
      console.log(`bench replica_read_ops_primary_plus_replica=${bothOps.toFixed(0)}`);
      console.log(`bench replica_read_ratio=${(bothOps / primaryOps).toFixed(2)}`);
    } finally {
      await Promise.all([primaryAlone.close(), primaryHalf.close(), replicaHalf.close()]);
      await replica.close();
    }
  } finally {
    await testDb.dispose();
  }
}

const { TEST_DATABASE_URL, TEST_REPLICA_URL } = env();
if (TEST_DATABASE_URL && TEST_REPLICA_URL) {
  await run(TEST_DATABASE_URL);
} else {
  console.log(
    "bench:replica skipped: needs a server (TEST_DATABASE_URL) and its streaming replica (TEST_REPLICA_URL, .ci/replica.sh)",
  );
}
