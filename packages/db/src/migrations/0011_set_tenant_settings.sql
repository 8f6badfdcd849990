-- Custom migration: set_tenant_settings, how the token unit (src/auth/tokens.ts) sets the
-- tenant settings from authenticate_token's row in the same statement. It runs SET LOCAL (not
-- set_config): Citus propagates SET LOCAL to its workers (citus.propagate_set_commands =
-- 'local'), set_config it does not. Plain plpgsql on purpose: not SECURITY DEFINER and no SET
-- clause, either of which would scope the settings to the function call; a NULL clears a
-- setting to '' (fail closed: no organization id is ''). %L quotes any value. Executable by
-- app_runtime only (before SET LOCAL ROLE authenticated). Never distribute it
-- (create_distributed_function): run on a worker, it would set that worker's session only.
CREATE OR REPLACE FUNCTION public.set_tenant_settings(p_organization_id text, p_user_id text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
AS $$
BEGIN
  EXECUTE format('SET LOCAL app.current_organization_id = %L', coalesce(p_organization_id, ''));
  EXECUTE format('SET LOCAL app.current_user_id = %L', coalesce(p_user_id, ''));
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.set_tenant_settings(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.set_tenant_settings(text, text) TO app_runtime;
