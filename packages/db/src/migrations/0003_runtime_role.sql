-- Custom migration: the LOGIN role apps connect as (APP_DATABASE_URL). NOINHERIT with no
-- privileges of its own: outside withTenantContext (which does SET LOCAL ROLE authenticated)
-- every query fails with "permission denied". It gets no password here: set one per
-- environment (ALTER ROLE app_runtime PASSWORD '...'), never in a migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_runtime') THEN
    CREATE ROLE app_runtime LOGIN NOINHERIT NOBYPASSRLS;
  END IF;
END
$$;--> statement-breakpoint
GRANT authenticated TO app_runtime;
