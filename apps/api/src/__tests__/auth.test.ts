import { hashToken } from "@repo/db";
import { eq, rows, schema, sql } from "@repo/db/sql";
import { hc } from "hono/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../app";
import { type ErrorBody, type Page, type PlanJson, startTestApi, type TestApi } from "./harness";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

const HOUR = 3_600_000;

/** A token row written as the owner, for a user that exists in the dev seed. */
async function insertToken(
  id: string,
  options: { userId?: string; expiresAt?: Date; revokedAt?: Date } = {},
): Promise<string> {
  const token = `rpat_test_${id}_${"x".repeat(20)}`;
  await api.db.insert(schema.personalAccessToken).values({
    id,
    userId: options.userId ?? "user_acme_1",
    name: `test ${id}`,
    tokenHash: hashToken(token),
    displayPrefix: token.slice(0, 9),
    expiresAt: options.expiresAt ?? null,
    revokedAt: options.revokedAt ?? null,
  });
  return token;
}

const plans = (token: string | null, organization?: string) =>
  api.request<Page<PlanJson> & ErrorBody>("/v1/research/plans", {
    token,
    ...(organization === undefined ? {} : { organization }),
  });

describe("bearer tokens", () => {
  it("can list plans with a demo token, only those of the token's organization", async () => {
    const response = await plans(api.tokens.acme);
    expect(response.status).toBe(200);
    expect(response.body.data.length).toBeGreaterThan(0);
    expect(new Set(response.body.data.map((plan) => plan.organizationId))).toEqual(
      new Set(["org_acme"]),
    );
  });

  it("cannot call a /v1 route without a bearer token", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Basic dXNlcjpwYXNz" },
      { authorization: "Bearer " },
    ];
    for (const headers of attempts) {
      const response = await api.request<ErrorBody>("/v1/research/plans", { token: null, headers });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("unauthorized");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("cannot authenticate with an unknown token", async () => {
    const response = await plans("rpat_0000000000000000000000000000000000000000");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("unauthorized");
  });

  it("cannot authenticate with an expired token", async () => {
    const token = await insertToken("pat_expired", { expiresAt: new Date(Date.now() - HOUR) });
    expect((await plans(token)).status).toBe(401);
    // The same user's token with an expiry ahead works: the expiry is what refuses it.
    const fresh = await insertToken("pat_not_expired", { expiresAt: new Date(Date.now() + HOUR) });
    expect((await plans(fresh)).status).toBe(200);
  });

  it("cannot authenticate with a revoked token", async () => {
    const token = await insertToken("pat_revoked", { revokedAt: new Date(Date.now() - HOUR) });
    const response = await plans(token);
    expect(response.status).toBe(401);
    const [row] = await api.db
      .select({ lastUsedAt: schema.personalAccessToken.lastUsedAt })
      .from(schema.personalAccessToken)
      .where(eq(schema.personalAccessToken.id, "pat_revoked"));
    expect(row?.lastUsedAt).toBeNull();
  });

  it("cannot choose an organization its user does not belong to", async () => {
    const response = await plans(api.tokens.acme, "org_globex");
    expect(response.status).toBe(401);
    // Nor one that does not exist, nor a blank one.
    expect((await plans(api.tokens.acme, "org_nope")).status).toBe(401);
    expect((await plans(api.tokens.acme, "")).status).toBe(401);
  });

  it("cannot tell refusals apart: every refused request gets the same 401 body", async () => {
    const expired = await insertToken("pat_expired_2", { expiresAt: new Date(Date.now() - HOUR) });
    const revoked = await insertToken("pat_revoked_2", { revokedAt: new Date() });
    const refused = await Promise.all([
      plans(null),
      plans("rpat_unknown"),
      plans(expired),
      plans(revoked),
      plans(api.tokens.acme, "org_globex"),
    ]);
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    const bodies = new Set(refused.map((response) => JSON.stringify(response.body)));
    expect(bodies.size).toBe(1);
  });

  it("records when a token was last used", async () => {
    const token = await insertToken("pat_last_used");
    const read = async () => {
      const [row] = await api.db
        .select({ lastUsedAt: schema.personalAccessToken.lastUsedAt })
        .from(schema.personalAccessToken)
        .where(eq(schema.personalAccessToken.id, "pat_last_used"));
      return row?.lastUsedAt ?? null;
    };
    expect(await read()).toBeNull();
    expect((await plans(token)).status).toBe(200);
    expect(await read()).toBeInstanceOf(Date);
  });
});

describe("several organizations", () => {
  it("can choose among its organizations with X-Organization-Id, and must", async () => {
    await api.db.insert(schema.user).values({
      id: "user_multi",
      name: "Multi Member",
      email: "multi@example.test",
    });
    await api.db.insert(schema.member).values([
      { id: "member_multi_acme", organizationId: "org_acme", userId: "user_multi" },
      { id: "member_multi_globex", organizationId: "org_globex", userId: "user_multi" },
    ]);
    const token = await insertToken("pat_multi", { userId: "user_multi" });

    // Two memberships and none chosen: ambiguous, refused.
    expect((await plans(token)).status).toBe(401);
    for (const organization of ["org_acme", "org_globex"]) {
      const response = await plans(token, organization);
      expect(response.status).toBe(200);
      expect(new Set(response.body.data.map((plan) => plan.organizationId))).toEqual(
        new Set([organization]),
      );
    }
    expect((await plans(token, "org_initech")).status).toBe(401);
  });
});

describe("GET /health", () => {
  it("can report the migration state without a token", async () => {
    const response = await hc<App>(api.url).health.$get();
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.migrations?.upToDate).toBe(true);
    const [row] = await rows<{ n: number }>(
      api.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    const applied = row!.n;
    expect(body.migrations?.applied).toBe(applied);
    expect(body.migrations?.expected).toBe(applied);
  });

  it("cannot report healthy when the database has a migration the code does not", async () => {
    await api.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 9999999999999)`,
    );
    try {
      const response = await hc<App>(api.url).health.$get();
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        status: "migrations_mismatch",
        migrations: { upToDate: false },
      });
    } finally {
      await api.db.execute(
        sql`delete from drizzle.__drizzle_migrations where hash = 'from-the-future'`,
      );
    }
  });
});
