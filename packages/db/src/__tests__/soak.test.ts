import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type DatabaseHandle } from "../connection/client";
import { env } from "../connection/env";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import { createTestDatabase, type TestDatabase } from "../testing";
import { ISOLATION_ORGS, seedIsolation } from "../testing/isolation-seed";

const TRANSACTIONS = 10_000;
const CONCURRENCY = 50;
const POOL_SIZE = 10;
const THROW_EVERY = 20; // 5%

let testDb: TestDatabase;
let pool: DatabaseHandle;

// PGlite has a single session, so there is no pool to soak: server providers only.
describe.skipIf(!env().TEST_DATABASE_URL)(
  "pool soak (needs a server: skipped on embedded PGlite, which has one session and no pool)",
  () => {
    beforeAll(async () => {
      testDb = await createTestDatabase();
      await seedIsolation(testDb.db);
      pool = createDatabase({ url: testDb.appUrl!, max: POOL_SIZE, acquireTimeoutMs: 60_000 });
    });
    afterAll(async () => {
      await pool?.close();
      await testDb?.dispose();
    });

    it(`can run ${TRANSACTIONS} withTenantContext transactions, ${CONCURRENCY} at a time on ${POOL_SIZE} connections, 5% failing, with 0 leaks`, async () => {
      const stats = {
        committed: 0,
        failed: 0,
        rowsChecked: 0,
        leaks: 0,
        dirtyConnections: 0,
        probes: 0,
      };
      const leakDetails: string[] = [];

      async function job(i: number) {
        const org = ISOLATION_ORGS[i % ISOLATION_ORGS.length]!;
        const failing = i % THROW_EVERY === 0;
        try {
          await withTenantContext(
            pool.db,
            { organizationId: org.id, userId: `${org.key}_user_1` },
            async (tx) => {
              const [context] = await rows<{ role: string; org: string; user: string }>(
                tx,
                sql`select current_user as role, current_setting('app.current_organization_id') as org, current_setting('app.current_user_id') as user`,
              );
              if (
                context?.role !== "authenticated" ||
                context.org !== org.id ||
                context.user !== `${org.key}_user_1`
              ) {
                stats.leaks++;
                leakDetails.push(`tx ${i}: context ${JSON.stringify(context)} for ${org.id}`);
              }
              const plans = await tx
                .select({ org: researchPlan.organizationId })
                .from(researchPlan);
              stats.rowsChecked += plans.length;
              for (const plan of plans) {
                if (plan.org !== org.id) {
                  stats.leaks++;
                  leakDetails.push(`tx ${i} as ${org.id} saw a row of ${plan.org}`);
                }
              }
              if (failing && i % (2 * THROW_EVERY) === 0)
                throw new Error("simulated failure mid-transaction");
              if (failing) await tx.execute(sql`select 1 / 0`); // a Postgres error mid-transaction
            },
          );
          stats.committed++;
        } catch {
          stats.failed++;
        }
        // Probe the pool outside any transaction: whichever connection answers must be back to
        // the runtime role's defaults (over 10,000 probes, every connection is hit many times).
        const [probe] = await rows<{ role: string; org: string | null; user: string | null }>(
          pool.db,
          sql`select current_user as role, nullif(current_setting('app.current_organization_id', true), '') as org,
                     nullif(current_setting('app.current_user_id', true), '') as user`,
        );
        stats.probes++;
        if (probe?.role !== "app_runtime" || probe.org !== null || probe.user !== null) {
          stats.dirtyConnections++;
          leakDetails.push(`after tx ${i}: connection left as ${JSON.stringify(probe)}`);
        }
      }

      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < TRANSACTIONS) await job(next++);
        }),
      );

      console.log(`soak: ${JSON.stringify(stats)}`);
      expect(leakDetails.slice(0, 5)).toEqual([]);
      expect(stats).toMatchObject({ leaks: 0, dirtyConnections: 0, probes: TRANSACTIONS });
      expect(stats.failed).toBe(TRANSACTIONS / THROW_EVERY);
      expect(stats.committed).toBe(TRANSACTIONS - TRANSACTIONS / THROW_EVERY);
      expect(stats.rowsChecked).toBeGreaterThan(TRANSACTIONS);
    }, 300_000);
  },
);
