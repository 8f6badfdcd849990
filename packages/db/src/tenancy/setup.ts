import { TENANT_SETTING, USER_SETTING } from "../schema/base";
import { TENANT_ROLE } from "./roles";

/**
 * Bounds of the runtime role, set on app_runtime by migration 0006 (ALTER ROLE ... SET) so
 * they hold for every session that logs in as it, pooled or not. A unit may override them
 * (TenantUnitOptions); the catalog test checks the migration against these values.
 */
export const RUNTIME_TIMEOUTS = {
  statementTimeoutMs: 10_000,
  lockTimeoutMs: 3_000,
  idleInTransactionTimeoutMs: 30_000,
} as const;

/** Per-unit overrides of RUNTIME_TIMEOUTS, in milliseconds (0 disables, as in Postgres). */
export interface TenantUnitTimeouts {
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
}

/**
 * A Postgres string literal for any text without NUL. E'' keeps the meaning independent of
 * standard_conforming_strings; SET takes no bind parameters, so this is the one place that
 * quotes a value into SQL.
 */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new Error("quoteLiteral: NUL cannot be part of a literal");
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

function timeout(name: string, ms: number | undefined): string[] {
  if (ms === undefined) return [];
  if (!Number.isInteger(ms) || ms < 0 || ms > 2_147_483_647) {
    throw new RangeError(`${name} must be an integer number of milliseconds (got ${ms})`);
  }
  return [`set local ${name} = ${ms}`];
}

/**
 * The statements that turn a fresh transaction into a tenant unit: role `authenticated`, the
 * tenant and user settings, any timeout overrides. All transaction-local: nothing survives
 * the transaction on a pooled connection. The settings are SET LOCAL, which (unlike
 * set_config) a distributed engine such as Citus propagates to its workers.
 */
export function tenantSetup(
  organizationId: string,
  userId: string,
  timeouts: TenantUnitTimeouts = {},
): string[] {
  const [role, ...overrides] = roleSetup(timeouts);
  return [
    role as string,
    `set local ${TENANT_SETTING} = ${quoteLiteral(organizationId)}`,
    `set local ${USER_SETTING} = ${quoteLiteral(userId)}`,
    ...overrides,
  ];
}

/**
 * Role `authenticated`, then any timeout overrides: a setup lists its queries before its SET
 * statements (on Citus the server driver sends the two groups as separate messages, see
 * src/connection/drivers/postgres.ts). The role is taken with set_config (is_local), which
 * is SET LOCAL ROLE in every respect but one: Citus does not replay it on worker
 * connections. Citus opens those as the current user anyway (`authenticated`), and a
 * SECURITY DEFINER function's as its owner, which a replayed role would turn into
 * `authenticated` (RLS there, and two-phase commits its owner cannot finish).
 */
export function roleSetup(timeouts: TenantUnitTimeouts = {}): string[] {
  return [
    `select set_config('role', '${TENANT_ROLE}', true)`,
    ...timeout("statement_timeout", timeouts.statementTimeoutMs),
    ...timeout("lock_timeout", timeouts.lockTimeoutMs),
    ...timeout("idle_in_transaction_session_timeout", timeouts.idleInTransactionTimeoutMs),
  ];
}
