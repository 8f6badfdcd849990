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
