import { createHash, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../connection/client";
import type { SetupRows, UnitValue } from "../connection/drivers/unit";
import { rows } from "../connection/rows";
import { runUnit } from "../tenancy/context";
import { quoteLiteral, roleSetup, type TenantUnitTimeouts } from "../tenancy/setup";

// Personal access tokens: how a request proves who it acts for. authenticate_token
// (migration 0005, SECURITY DEFINER) is the one way the runtime role reaches the token and
// membership tables; these wrap it. Pass the app database (getDb()), never a transaction of
// withTenantContext: role `authenticated` may not execute it.

/** Why a token was accepted or refused (authenticate_token's `outcome`). */
export type TokenOutcome = "ok" | "unknown" | "expired" | "revoked" | "no_membership";

export type TokenAuthentication =
  | {
      readonly outcome: "ok";
      readonly userId: string;
      readonly organizationId: string;
      /** What the token may do (src/auth/scopes.ts). */
      readonly scopes: readonly string[];
    }
  | { readonly outcome: Exclude<TokenOutcome, "ok"> };

const OUTCOMES = new Set<string>(["ok", "unknown", "expired", "revoked", "no_membership"]);

/** sha256 hex of a token: the only form personal_access_token stores. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

type AuthenticationRow = {
  user_id: string | null;
  organization_id: string | null;
  token_hash: string | null;
  outcome: string;
  scopes: string[] | null;
};

/** A requested organization that names none (blank, or with a NUL Postgres text cannot hold). */
const namesNoOrganization = (requested: string | null) =>
  requested !== null && (requested.trim() === "" || requested.includes("\0"));

/** authenticate_token's row, checked: the stored hash is compared with ours in constant time. */
function authentication(row: AuthenticationRow | undefined, hash: string): TokenAuthentication {
  if (!row || !OUTCOMES.has(row.outcome)) {
    throw new Error(
      `authenticate_token answered ${JSON.stringify(row)}: is migration 0008 applied?`,
    );
  }
  if (row.outcome !== "ok") return { outcome: row.outcome as Exclude<TokenOutcome, "ok"> };
  const stored = Buffer.from(row.token_hash ?? "", "utf8");
  const computed = Buffer.from(hash, "utf8");
  if (
    stored.length !== computed.length ||
    !timingSafeEqual(stored, computed) ||
    !row.user_id ||
    !row.organization_id
  ) {
    return { outcome: "unknown" };
  }
  return {
    outcome: "ok",
    userId: row.user_id,
    organizationId: row.organization_id,
    scopes: row.scopes ?? [],
  };
}

/**
 * Resolves a bearer token to a user and an organization: `organizationId` when the user is a
 * member of it, else the user's only membership. Touches last_used_at (at most once a minute).
 * The stored hash is compared with ours in constant time before anything is trusted.
 */
export async function authenticateToken(
  db: Database,
  token: string,
  options: { organizationId?: string | null } = {},
): Promise<TokenAuthentication> {
  const requested = options.organizationId ?? null;
  if (namesNoOrganization(requested)) return { outcome: "no_membership" };
  const hash = hashToken(token);
  const [row] = await rows<AuthenticationRow>(
    db,
    sql`select user_id, organization_id, token_hash, outcome, scopes from public.authenticate_token(${hash}, ${requested})`,
  );
  return authentication(row, hash);
}

export type TokenUnit<T> =
  | {
      readonly outcome: "ok";
      readonly userId: string;
      readonly organizationId: string;
      readonly scopes: readonly string[];
      readonly value: T;
    }
  | { readonly outcome: Exclude<TokenOutcome, "ok"> };

/**
 * authenticateToken and a tenant unit in one: the token check is the unit's first setup
 * statement (it sets the tenant settings itself, as app_runtime, before the role), so
 * a unit that reads costs one round trip in all. When the token is refused the settings stay
 * blank, RLS shows `fn` nothing and lets it write nothing, and the result is the refusal,
 * whatever `fn` returned or threw. For reads: a write needs the organization before its
 * first statement, so authenticate first and use withTenantContext.
 */
export async function withTokenContext<R>(
  db: Database,
  credentials: { token: string; organizationId?: string | null },
  fn: (tx: Transaction) => R,
  options: TenantUnitTimeouts = {},
): Promise<TokenUnit<UnitValue<R>>> {
  const requested = credentials.organizationId ?? null;
  if (namesNoOrganization(requested)) return { outcome: "no_membership" };
  const hash = hashToken(credentials.token);
  const setup = [
    // set_tenant_settings (migration 0011) runs SET LOCAL for both settings, which Citus
    // propagates to its workers (set_config it does not); a refused token clears them.
    `select a.user_id, a.organization_id, a.token_hash, a.outcome, a.scopes,
            public.set_tenant_settings(a.organization_id, a.user_id)
       from public.authenticate_token(${quoteLiteral(hash)}, ${requested === null ? "null" : quoteLiteral(requested)}) a`,
    ...roleSetup(options),
  ];
  let answered: { row: AuthenticationRow | undefined } | undefined;
  const onSetup = (results: SetupRows) => {
    answered = { row: results[0]?.[0] as AuthenticationRow | undefined };
  };
  let value: unknown;
  try {
    value = await runUnit(db, setup, fn, {
      organizationId: null,
      userId: "",
      readOnly: false,
      tenant: `token:${hash}`,
      onSetup,
    });
  } catch (error) {
    // A refused token explains whatever fn met in a context with no organization.
    if (answered?.row && answered.row.outcome !== "ok" && OUTCOMES.has(answered.row.outcome)) {
      return { outcome: answered.row.outcome as Exclude<TokenOutcome, "ok"> };
    }
    throw error;
  }
  const checked = authentication(answered?.row, hash);
  if (checked.outcome !== "ok") return { outcome: checked.outcome };
  return { ...checked, value: value as UnitValue<R> };
}
