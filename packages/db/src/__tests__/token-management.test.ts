import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken, listTokens, revokeToken, TokenRequestError } from "../auth/manage";
import { authenticateToken } from "../auth/tokens";
import { personalAccessToken } from "../schema";
import { seed } from "../seeds";
import { createTestDatabase, type TestDatabase } from "../testing";

// Tokens as `pnpm db:token` manages them (owner connection), checked the way the apps check
// them (authenticate_token on the runtime role).

let testDb: TestDatabase;
let organizationId: string;
let userId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { tokens } = await seed({ db: testDb.db, tier: "dev" });
  organizationId = tokens[0]!.organization;
  userId = tokens[0]!.user;
});
afterAll(() => testDb?.dispose());

const lastUsedAt = async (id: string) => {
  const [row] = await testDb.db
    .select({ at: personalAccessToken.lastUsedAt })
    .from(personalAccessToken)
    .where(eq(personalAccessToken.id, id));
  return row?.at ?? null;
};

describe("pnpm db:token", () => {
  it("can issue a token that authenticates with exactly its scopes, stored only as a hash", async () => {
    const issued = await issueToken(testDb.db, {
      organizationId,
      userId,
      scopes: ["research:read", "search:read"],
    });
    expect(await authenticateToken(testDb.app, issued.token)).toMatchObject({
      outcome: "ok",
      organizationId,
      scopes: ["research:read", "search:read"],
    });
    const stored = await testDb.db
      .select()
      .from(personalAccessToken)
      .where(eq(personalAccessToken.id, issued.id));
    expect(JSON.stringify(stored)).not.toContain(issued.token);
  });

  it("can list tokens with prefix, scopes, last use and expiry, never the hash", async () => {
    const issued = await issueToken(testDb.db, {
      organizationId,
      userId,
      scopes: ["documents:write"],
      expiresInMs: 30 * 24 * 3_600_000,
    });
    const listed = (await listTokens(testDb.db, { userId })).find((t) => t.id === issued.id);
    expect(listed).toMatchObject({ prefix: issued.prefix, scopes: ["documents:write"] });
    expect(listed?.expiresAt?.getTime()).toBe(issued.expiresAt?.getTime());
    expect(Object.keys(listed ?? {})).not.toContain("tokenHash");
  });

  it("cannot authenticate with a revoked token", async () => {
    const issued = await issueToken(testDb.db, { organizationId, userId, scopes: ["usage:read"] });
    expect(await revokeToken(testDb.db, issued.prefix)).toEqual([issued.id]);
    expect(await authenticateToken(testDb.app, issued.token)).toEqual({ outcome: "revoked" });
    expect(await revokeToken(testDb.db, issued.id)).toEqual([]);
  });

  it("cannot issue a token for a user outside the organization", async () => {
    await expect(
      issueToken(testDb.db, { organizationId: "org_nowhere", userId, scopes: ["research:read"] }),
    ).rejects.toThrow(TokenRequestError);
  });

  it("can authenticate without a write per request: last_used_at moves at most once a minute", async () => {
    const issued = await issueToken(testDb.db, {
      organizationId,
      userId,
      scopes: ["research:read"],
    });
    await authenticateToken(testDb.app, issued.token);
    const first = await lastUsedAt(issued.id);
    expect(first).not.toBeNull();
    await authenticateToken(testDb.app, issued.token);
    expect(await lastUsedAt(issued.id)).toEqual(first);
    await testDb.db.execute(
      sql`update personal_access_token set last_used_at = now() - interval '61 seconds' where id = ${issued.id}`,
    );
    const stale = await lastUsedAt(issued.id);
    await authenticateToken(testDb.app, issued.token);
    expect((await lastUsedAt(issued.id))!.getTime()).toBeGreaterThan(stale!.getTime());
  });
});
