import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase } from "../connection/client";
import { env } from "../connection/env";
import { rows } from "../connection/rows";
import { researchPlan } from "../schema";
import { withTenantContext } from "../tenancy/context";
import { UnsafeRuntimeRoleError, verifyRuntimeRole } from "../tenancy/roles";
import { RUNTIME_TIMEOUTS } from "../tenancy/setup";
import { createTestDatabase, rootCause, type TestDatabase } from "../testing";
import { seedTwoTenants } from "./fixtures";

// Apps connect as app_runtime: outside withTenantContext it can do nothing at all (per table:
// the isolation matrix, isolation.test.ts).
let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedTwoTenants(testDb.db);
});
afterAll(() => testDb?.dispose());

const denied = (promise: Promise<unknown>) =>
  promise.then(
    () => "allowed",
    (error) => rootCause(error).message,
  );

describe("the runtime role app_runtime", () => {
  it("is not a superuser, cannot bypass RLS and inherits nothing", async () => {
    const [me] = await rows<Record<string, unknown>>(
      testDb.app,
      sql`select current_user as "user", rolsuper as super, rolbypassrls as bypass, rolinherit as inherit
          from pg_roles where rolname = current_user`,
    );
    expect(me).toEqual({ user: "app_runtime", super: false, bypass: false, inherit: false });
  });

  it("cannot read global identity tables even inside a tenant context", async () => {
    const attempt = withTenantContext(testDb.app, { organizationId: "org_a" }, (tx) =>
      tx.execute(sql`select * from "user"`),
    );
    expect(await denied(attempt)).toBe("permission denied for table user");
  });
});

// Without APP_DATABASE_URL, apps get the owner's URL with the runtime role as a startup
// parameter (connections.ts). RESET ROLE and DISCARD ALL come back to it, not to the owner.
describe.skipIf(!env().TEST_DATABASE_URL)(
  "the owner's URL with role app_runtime as a startup parameter (server)",
  () => {
    it("cannot read tenant tables outside withTenantContext, even after RESET ROLE or DISCARD ALL", async () => {
      const handle = createDatabase({ url: testDb.url!, max: 1, role: "app_runtime" });
      try {
        const [me] = await rows<{ role: string }>(handle.db, sql`select current_user as role`);
        expect(me?.role).toBe("app_runtime");
        expect(await denied(handle.db.select().from(researchPlan))).toBe(
          "permission denied for table research_plan",
        );
        await handle.db.execute(sql`reset role`);
        await handle.db.execute(sql`discard all`);
        const [after] = await rows<{ role: string }>(handle.db, sql`select current_user as role`);
        expect(after?.role).toBe("app_runtime");
        const visible = await withTenantContext(handle.db, { organizationId: "org_a" }, (tx) =>
          tx.select({ org: researchPlan.organizationId }).from(researchPlan),
        );
        expect(visible).toEqual([{ org: "org_a" }, { org: "org_a" }]);
      } finally {
        await handle.close();
      }
    });
  },
);

// What a production entry checks before serving (verifyRuntimeRole), and the bounds every
// app_runtime login gets from migration 0006. Both are about logins: a server's.
describe.skipIf(!env().TEST_DATABASE_URL)("a login to serve tenants with (server)", () => {
  const loginAs = (user: string, password: string) => {
    const url = new URL(testDb.url!);
    url.username = user;
    url.password = password;
    return createDatabase({ url: url.toString(), max: 1 });
  };
  const refusal = (promise: Promise<void>) =>
    promise.then(
      () => "served",
      (error: unknown) =>
        error instanceof UnsafeRuntimeRoleError ? error.message : `unexpected: ${error}`,
    );

  it("has statement, lock and idle-in-transaction timeouts as app_runtime (RUNTIME_TIMEOUTS)", async () => {
    const [bounds] = await rows<Record<string, string>>(
      testDb.app,
      sql`select current_setting('statement_timeout') as statement,
                 current_setting('lock_timeout') as lock,
                 current_setting('idle_in_transaction_session_timeout') as idle`,
    );
    const seconds = (ms: number) => `${ms / 1000}s`;
    expect(bounds).toEqual({
      statement: seconds(RUNTIME_TIMEOUTS.statementTimeoutMs),
      lock: seconds(RUNTIME_TIMEOUTS.lockTimeoutMs),
      idle: seconds(RUNTIME_TIMEOUTS.idleInTransactionTimeoutMs),
    });
  });

  it("can serve as app_runtime", async () => {
    expect(await refusal(verifyRuntimeRole(testDb.app))).toBe("served");
  });

  it("cannot serve as the owner, named with the fix", async () => {
    expect(await refusal(verifyRuntimeRole(testDb.db))).toMatch(
      /^Refusing to serve: the app's login postgres is a superuser and has BYPASSRLS and owns \d+ table\(s\), so row-level security would not bind it\. Connect as app_runtime \(APP_DATABASE_URL=/,
    );
  });

  it("cannot serve as the owner behind the role startup parameter", async () => {
    const handle = createDatabase({ url: testDb.url!, max: 1, role: "app_runtime" });
    try {
      expect(await refusal(verifyRuntimeRole(handle.db))).toMatch(
        /^Refusing to serve: the app's login postgres is a superuser/,
      );
    } finally {
      await handle.close();
    }
  });

  it("cannot serve as a login that can SET ROLE to a table owner", async () => {
    await testDb.db.execute(
      sql.raw(`do $$ begin
      if not exists (select from pg_roles where rolname = 'app_sneaky') then
        create role app_sneaky login password 'app_sneaky';
      end if;
      if not exists (select from pg_roles where rolname = 'table_keeper') then
        create role table_keeper nologin;
      end if; end $$`),
    );
    await testDb.db.execute(sql.raw("grant table_keeper to app_sneaky"));
    await testDb.db.execute(sql.raw("create table keeper_owned (id int)"));
    await testDb.db.execute(sql.raw("alter table keeper_owned owner to table_keeper"));
    const sneaky = loginAs("app_sneaky", "app_sneaky");
    try {
      expect(await refusal(verifyRuntimeRole(sneaky.db))).toMatch(
        /^Refusing to serve: the app's login app_sneaky can SET ROLE to table_keeper, which owns 1 table\(s\)/,
      );
    } finally {
      await sneaky.close();
      await testDb.db.execute(sql.raw("drop table keeper_owned"));
    }
  });
});
