import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import type { Database } from "../connection/client";
import { member, user } from "../schema/auth";
import { personalAccessToken } from "../schema/mcp";
import { isScope, SCOPES, type Scope } from "./scopes";
import { hashToken } from "./tokens";

// Issuing, listing and revoking personal access tokens: owner-level (the runtime role cannot
// read the token table), for `pnpm db:token` and tests. The token is returned once; only its
// sha256 and its first characters are stored.

/** Characters of a token shown in lists ("rpat_" and four more). */
const PREFIX_CHARS = 9;

/** A token request that cannot be honoured, worded for the command line. */
export class TokenRequestError extends Error {
  override readonly name = "TokenRequestError";
}

/** "30d", "12h", "90m": a token lifetime in milliseconds. */
export function parseLifetime(value: string): number {
  const match = /^(\d{1,6})([dhm])$/.exec(value.trim());
  if (!match)
    throw new TokenRequestError(`--expires must look like 30d, 12h or 90m, not "${value}".`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as "d" | "h" | "m"];
  const millis = Number(match[1]) * unit;
  if (millis <= 0) throw new TokenRequestError("--expires must be longer than zero.");
  return millis;
}

/** Parses "a,b" into known scopes (all of them for "all"), naming any unknown one. */
export function parseScopes(value: string): Scope[] {
  if (value.trim() === "all") return [...SCOPES];
  const names = [
    ...new Set(
      value
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((name) => !isScope(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new TokenRequestError(
      `Unknown scope(s) ${unknown.join(", ") || "(none given)"}: choose from ${SCOPES.join(", ")} or all.`,
    );
  }
  return names as Scope[];
}

export interface IssuedToken {
  readonly id: string;
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly expiresAt: Date | null;
}

/**
 * Issues a token for `userId`, who must be a member of `organizationId` (the token works for
 * every organization the user belongs to; the check catches a mistyped pair).
 */
export async function issueToken(
  db: Database,
  request: {
    organizationId: string;
    userId: string;
    scopes: readonly Scope[];
    name?: string;
    expiresInMs?: number;
  },
): Promise<IssuedToken> {
  const [membership] = await db
    .select({ userId: member.userId })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(
      and(eq(member.userId, request.userId), eq(member.organizationId, request.organizationId)),
    );
  if (!membership) {
    throw new TokenRequestError(
      `User ${request.userId} is not a member of organization ${request.organizationId}: check both ids.`,
    );
  }
  const token = `rpat_${randomBytes(24).toString("hex")}`;
  const expiresAt =
    request.expiresInMs === undefined ? null : new Date(Date.now() + request.expiresInMs);
  const [row] = await db
    .insert(personalAccessToken)
    .values({
      userId: request.userId,
      name: request.name ?? "Personal access token",
      tokenHash: hashToken(token),
      displayPrefix: token.slice(0, PREFIX_CHARS),
      scopes: [...request.scopes],
      expiresAt,
    })
    .returning({ id: personalAccessToken.id });
  if (!row) throw new Error("INSERT ... RETURNING returned no token");
  return { id: row.id, token, prefix: token.slice(0, PREFIX_CHARS), expiresAt };
}

/** Tokens (never their hashes), newest first; one user's when `userId` is given. */
export function listTokens(db: Database, filter: { userId?: string } = {}) {
  return db
    .select({
      id: personalAccessToken.id,
      userId: personalAccessToken.userId,
      name: personalAccessToken.name,
      prefix: personalAccessToken.displayPrefix,
      scopes: personalAccessToken.scopes,
      lastUsedAt: personalAccessToken.lastUsedAt,
      expiresAt: personalAccessToken.expiresAt,
      revokedAt: personalAccessToken.revokedAt,
      createdAt: personalAccessToken.createdAt,
    })
    .from(personalAccessToken)
    .where(filter.userId === undefined ? undefined : eq(personalAccessToken.userId, filter.userId))
    .orderBy(desc(personalAccessToken.createdAt), personalAccessToken.id);
}

/**
 * Revokes the not yet revoked tokens whose id or display prefix is `idOrPrefix`; the revoked
 * ids. A prefix shared by several tokens is refused: pass the id.
 */
export async function revokeToken(db: Database, idOrPrefix: string): Promise<string[]> {
  const match = and(
    or(eq(personalAccessToken.id, idOrPrefix), eq(personalAccessToken.displayPrefix, idOrPrefix)),
    isNull(personalAccessToken.revokedAt),
  );
  const candidates = await db
    .select({ id: personalAccessToken.id })
    .from(personalAccessToken)
    .where(match);
  if (candidates.length > 1) {
    throw new TokenRequestError(
      `${candidates.length} tokens start with ${idOrPrefix}: revoke one by its id (pnpm db:token list).`,
    );
  }
  const revoked = await db
    .update(personalAccessToken)
    .set({ revokedAt: new Date() })
    .where(match)
    .returning({ id: personalAccessToken.id });
  return revoked.map((row) => row.id);
}
