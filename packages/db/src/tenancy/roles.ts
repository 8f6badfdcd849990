import { sql } from "drizzle-orm";
import type { Database } from "../connection/client";
import { rows } from "../connection/rows";

/**
 * The role tenant code runs as inside withTenantContext (migration 0000): NOLOGIN,
 * NOBYPASSRLS; RLS policies filter every row it touches.
 */
export const TENANT_ROLE = "authenticated";

/**
 * The LOGIN role apps connect as (migration 0003): NOINHERIT member of `authenticated` with
 * no privileges of its own, so any query outside withTenantContext fails with
 * "permission denied". Production gives it a password: ALTER ROLE app_runtime PASSWORD '...'.
 */
export const RUNTIME_ROLE = "app_runtime";

/** The app's login may do more than app_runtime: thrown by verifyRuntimeRole. */
export class UnsafeRuntimeRoleError extends Error {
  override readonly name = "UnsafeRuntimeRoleError";
}

interface ReachableRole extends Record<string, unknown> {
  role: string;
  is_login: boolean;
  superuser: boolean;
  bypass_rls: boolean;
  owned_tables: number;
}

/**
 * Resolves when the session user of `db` is safe to serve tenants with: not a superuser, no
 * BYPASSRLS, owns no table, and cannot SET ROLE to a role that is or does any of these (RLS
 * does not apply to a table's owner). Otherwise rejects with UnsafeRuntimeRoleError, one line
 * naming the fix. Production entries call it before serving.
 */
export async function verifyRuntimeRole(db: Database): Promise<void> {
  const reachable = await rows<ReachableRole>(
    db,
    sql`select r.rolname as role, r.rolname = session_user as is_login,
               r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
               (select count(*)::int from pg_class c
                  join pg_namespace n on n.oid = c.relnamespace
                 where c.relowner = r.oid and c.relkind in ('r', 'p', 'v', 'm', 'f')
                   and n.nspname not in ('pg_catalog', 'information_schema')
                   and n.nspname not like 'pg\\_toast%') as owned_tables
          from pg_roles r
         where pg_has_role(session_user, r.oid, 'MEMBER')
         order by r.rolname = session_user desc, r.rolname`,
  );
  const login = reachable.find((r) => r.is_login)?.role ?? "(unknown)";
  for (const role of reachable) {
    const powers = [
      role.superuser && "is a superuser",
      role.bypass_rls && "has BYPASSRLS",
      role.owned_tables > 0 && `owns ${role.owned_tables} table(s)`,
    ].filter(Boolean);
    if (powers.length === 0) continue;
    const who = role.is_login
      ? `the app's login ${login}`
      : `the app's login ${login} can SET ROLE to ${role.role}, which`;
    throw new UnsafeRuntimeRoleError(
      `Refusing to serve: ${who} ${powers.join(" and ")}, so row-level security would not bind it. Connect as ${RUNTIME_ROLE} (APP_DATABASE_URL=postgres://${RUNTIME_ROLE}:<password>@host/db); see packages/db/CLAUDE.md, "Production roles".`,
    );
  }
}
