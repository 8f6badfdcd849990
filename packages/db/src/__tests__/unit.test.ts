import { eq, type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../connection/client";
import { verifyCommit } from "../connection/drivers/postgres";
import { commitWith } from "../connection/drivers/unit";
import { env } from "../connection/env";
import { DatabaseTimeoutError, DatabaseUnavailableError } from "../connection/errors";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// A tenant unit owns its transaction: on a server BEGIN and the setup travel with the first
// statement and the last statement with COMMIT. These tests hold it to what a transaction
// promises, on the runtime role, whatever the pipelining does.

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

const plan = (id: string, organizationId = "org_a", title = "t") => ({
  id,
  organizationId,
  title,
  objective: "o",
});
const stored = (id: string) => testDb.db.$count(researchPlan, eq(researchPlan.id, id));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("a tenant unit", () => {
  it("can be one statement returned without running it: detected, run, committed", async () => {
    const created = await withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
      tx.insert(researchPlan).values(plan("unit_single")).returning({ id: researchPlan.id }),
    );
    expect(created).toEqual([{ id: "unit_single" }]);
    expect(await stored("unit_single")).toBe(1);
  });

  it("can hand its last statement to commitWith after awaited ones", async () => {
    const result = await withTenantContext(testDb.app, { organizationId: "org_b" }, async (tx) => {
      const before = await tx.$count(researchPlan);
      return commitWith(
        tx
          .insert(researchPlan)
          .values(plan(`unit_final_${before}`, "org_b"))
          .returning({ id: researchPlan.id }),
      );
    });
    expect(result).toEqual([{ id: "unit_final_2" }]);
    expect(await stored("unit_final_2")).toBe(1);
  });

  it("cannot commit when a statement failed inside, even if the unit caught its error", async () => {
    const error = await failure(
      withTenantContext(testDb.app, { organizationId: "org_a" }, async (tx) => {
        await tx.insert(researchPlan).values(plan("unit_swallowed"));
        await tx.execute(sql`select 1 / 0`).catch(() => "swallowed");
        return "done";
      }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(await stored("unit_swallowed")).toBe(0);
  });

  it("can recover from an error inside a nested tx.transaction() (a savepoint)", async () => {
    await withTenantContext(testDb.app, { organizationId: "org_a" }, async (tx) => {
      await tx.insert(researchPlan).values(plan("unit_sp_before"));
      await tx
        .transaction(async (inner) => {
          await inner.insert(researchPlan).values(plan("unit_sp_inner"));
          await inner.execute(sql`select 1 / 0`);
        })
        .catch(() => "rolled back to the savepoint");
      await tx.insert(researchPlan).values(plan("unit_sp_after"));
    });
    expect([
      await stored("unit_sp_before"),
      await stored("unit_sp_inner"),
      await stored("unit_sp_after"),
    ]).toEqual([1, 0, 1]);
  });

  it("cannot resolve when COMMIT itself fails (a deferred constraint)", async () => {
    await testDb.db.execute(sql`
      create function fail_at_commit() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$`);
    // Citus refuses triggers on a distributed table unless the session takes the risk.
    const onTable = (statement: SQL) =>
      testDb.db.transaction(async (tx) => {
        if (testDb.provider === "citus") {
          await tx.execute(sql`set local citus.enable_unsafe_triggers = on`);
        }
        await tx.execute(statement);
      });
    await onTable(sql`
      create constraint trigger research_plan_fail_at_commit after insert on research_plan
      deferrable initially deferred for each row
      when (new.title = 'fail at commit') execute function fail_at_commit()`);
    try {
      const error = await failure(
        withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
          tx.insert(researchPlan).values(plan("unit_deferred", "org_a", "fail at commit")),
        ),
      );
      // On Citus the worker's refusal arrives as a warning; the coordinator's COMMIT fails.
      expect(rootCause(error).message).toMatch(
        testDb.provider === "citus"
          ? /^could not commit transaction for shard \d+ on at least one active node$/
          : /^refused at commit$/,
      );
      expect(await stored("unit_deferred")).toBe(0);
    } finally {
      await onTable(sql`drop trigger research_plan_fail_at_commit on research_plan`);
      await testDb.db.execute(sql`drop function fail_at_commit()`);
    }
  });

  it("can take hostile tenant values verbatim: quoted, compared, never interpreted", async () => {
    const hostile = [
      "' OR 1=1 --",
      "org_a'; reset role; select '",
      "\\'; set local role postgres; --",
      "E'\\\\x00'",
      "$$; drop table research_plan; $$",
      "org_a\n;\nreset all",
      "ünïcødé 🚀",
      "x".repeat(10_000),
    ];
    for (const organizationId of hostile) {
      const [seen] = await withTenantContext(
        testDb.app,
        { organizationId, userId: organizationId },
        (tx) =>
          rows<{ org: string; user: string; role: string; plans: number }>(
            tx,
            sql`select current_setting('app.current_organization_id') as org,
                       current_setting('app.current_user_id') as user, current_user as role,
                       (select count(*)::int from research_plan) as plans`,
          ),
      );
      expect(seen).toEqual({
        org: organizationId,
        user: organizationId,
        role: "authenticated",
        plans: 0,
      });
    }
    expect(await testDb.db.$count(researchPlan)).toBeGreaterThanOrEqual(4);
  });
});

// PGlite runs in-process on one thread: no pool, no wire, no statement_timeout.
describe.skipIf(!process.env.TEST_DATABASE_URL)("a tenant unit on a server connection", () => {
  it("can be bounded per unit: a long statement is cut off with DatabaseTimeoutError", async () => {
    const error = await failure(
      withTenantContext(
        testDb.app,
        { organizationId: "org_a" },
        (tx) => tx.execute(sql`select pg_sleep(5)`),
        { statementTimeoutMs: 200 },
      ),
    );
    expect(error).toBeInstanceOf(DatabaseTimeoutError);
    expect(error).toMatchObject({ reason: "statement" });
  });
  it("cannot resolve a COMMIT the server answered with ROLLBACK", async () => {
    // What a pooler or a driver retry can leave behind: an aborted transaction whose error
    // the client never saw. verifyCommit is what every pipelined unit ends with.
    const pool = postgres(testDb.appUrl!, { max: 1, onnotice: () => {} });
    const connection = await pool.reserve();
    try {
      await connection.unsafe("begin");
      await connection.unsafe("select 1 / 0").catch(() => "hidden from the unit");
      const error = await failure(verifyCommit(connection.unsafe("commit")));
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error).toMatchObject({ reason: "rolled_back" });
    } finally {
      connection.release();
      await pool.end();
    }
  });

  // postgres.js's pipelined unit only: Neon's driver runs drizzle's transaction(), where a
  // statement issued before COMMIT simply joins the transaction.
  it.skipIf(env().TEST_NEON_WS_PROXY)(
    "cannot run a statement issued after the final one: refused, never sent behind COMMIT",
    async () => {
      let stray: Promise<unknown> | undefined;
      const seen = await withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) => {
        // Runs once the final statement and COMMIT are on their way.
        queueMicrotask(() => {
          stray = failure(tx.insert(researchPlan).values(plan("unit_after_commit")));
        });
        return tx.select({ org: researchPlan.organizationId }).from(researchPlan);
      });
      expect(new Set(seen.map((row) => row.org))).toEqual(new Set(["org_a"]));
      expect(rootCause(await stray)).toMatchObject({
        message: expect.stringContaining("issued after the unit's final statement"),
      });
      expect(await stored("unit_after_commit")).toBe(0);
    },
  );

  it("can report a setup error (not the 25P02 after it) and run nothing queued behind it", async () => {
    // A login that may not SET ROLE authenticated: the setup fails; the pipelined insert may not run.
    await testDb.db.execute(sql`do $$ begin
      if not exists (select from pg_roles where rolname = 'unit_stranger') then
        create role unit_stranger login password 'unit_stranger';
      end if; end $$`);
    await testDb.db.execute(sql.raw(`grant all on research_plan to unit_stranger`));
    const url = new URL(testDb.url!);
    url.username = "unit_stranger";
    url.password = "unit_stranger";
    const stranger = createDatabase({ url: url.toString(), max: 1 });
    try {
      const error = await failure(
        withTenantContext(stranger.db, { organizationId: "org_a" }, (tx) =>
          tx.insert(researchPlan).values(plan("unit_after_setup_error")),
        ),
      );
      expect(rootCause(error).message).toBe('permission denied to set role "authenticated"');
      expect(await stored("unit_after_setup_error")).toBe(0);
    } finally {
      await stranger.close();
      await testDb.db.execute(sql.raw(`revoke all on research_plan from unit_stranger`));
    }
  });

  it("can report a statement error and run nothing pipelined behind it", async () => {
    const error = await failure(
      withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
        Promise.all([
          tx.insert(researchPlan).values(plan("unit_before_error")).execute(),
          tx.execute(sql`select 1 / 0`).execute(),
          tx.insert(researchPlan).values(plan("unit_after_error")).execute(),
        ]),
      ),
    );
    expect(rootCause(error).message).toBe("division by zero");
    expect([await stored("unit_before_error"), await stored("unit_after_error")]).toEqual([0, 0]);
  });

  it("leaves its connection as it found it: role and settings gone, after success and failure", async () => {
    const single = createDatabase({ url: testDb.appUrl!, max: 1 });
    const session = () =>
      rows<{ role: string; org: string; user: string; timeout: string }>(
        single.db,
        sql`select current_user as role,
                   coalesce(current_setting('app.current_organization_id', true), '') as org,
                   coalesce(current_setting('app.current_user_id', true), '') as user,
                   current_setting('statement_timeout') as timeout`,
      );
    try {
      const [fresh] = await session();
      await withTenantContext(single.db, { organizationId: "org_a", userId: "u" }, (tx) =>
        tx.select().from(researchPlan),
      );
      expect(await session()).toEqual([fresh]);
      await failure(
        withTenantContext(
          single.db,
          { organizationId: "org_b", userId: "u" },
          (tx) => tx.execute(sql`select 1 / 0`),
          { statementTimeoutMs: 1234 },
        ),
      );
      expect(await session()).toEqual([fresh]);
      expect(fresh).toMatchObject({ role: "app_runtime", org: "", user: "" });
    } finally {
      await single.close();
    }
  });

  it("can run 400 concurrent units from 3 tenants on a pool of 10 without a leak", async () => {
    const pool = createDatabase({ url: testDb.appUrl!, max: 10, acquireTimeoutMs: 60_000 });
    const tenants = ["org_a", "org_b", "org_c"];
    try {
      const seen = await Promise.all(
        Array.from({ length: 400 }, (_, i) => {
          const organizationId = tenants[i % 3]!;
          return withTenantContext(pool.db, { organizationId, userId: `user_${i}` }, async (tx) => {
            const [context] = await rows<{ org: string; user: string }>(
              tx,
              sql`select current_setting('app.current_organization_id') as org, current_setting('app.current_user_id') as user`,
            );
            const visible = await tx
              .select({ org: researchPlan.organizationId })
              .from(researchPlan);
            return { organizationId, i, context, visible };
          });
        }),
      );
      const leaks = seen.filter(
        ({ organizationId, i, context, visible }) =>
          context?.org !== organizationId ||
          context.user !== `user_${i}` ||
          visible.some((row) => row.org !== organizationId),
      );
      expect(leaks).toEqual([]);
      expect(seen.filter((s) => s.organizationId === "org_a")[0]?.visible.length).toBeGreaterThan(
        0,
      );
    } finally {
      await pool.close();
    }
  });

  it("can survive its connection being killed mid-unit: a typed error, then a clean pool", async () => {
    // One connection: the units after the kill run on the reconnected one.
    const pool = createDatabase({ url: testDb.appUrl!, max: 1 });
    try {
      const error = await failure(
        withTenantContext(pool.db, { organizationId: "org_a" }, async (tx) => {
          const [me] = await rows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
          await testDb.db.execute(sql`select pg_terminate_backend(${me?.pid})`);
          await tx.insert(researchPlan).values(plan("unit_killed"));
        }),
      );
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error).toMatchObject({ reason: "connection" });
      expect(await stored("unit_killed")).toBe(0);
      for (const organizationId of ["org_a", "org_b", "org_a"]) {
        const visible = await withTenantContext(pool.db, { organizationId }, (tx) =>
          tx.select({ org: researchPlan.organizationId }).from(researchPlan),
        );
        expect(new Set(visible.map((row) => row.org))).toEqual(new Set([organizationId]));
      }
    } finally {
      await pool.close();
    }
  });
});
