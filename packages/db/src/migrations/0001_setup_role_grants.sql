-- Custom migration: what `authenticated` may touch. Tables are created later (0002+) by the
-- role that runs migrations, so default privileges cover every table from here on.
GRANT USAGE ON SCHEMA public TO authenticated;--> statement-breakpoint
-- Tenant tables: CRUD, filtered row by row by their four RLS policies.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;--> statement-breakpoint
-- Sequences (none today; ids are text) and functions follow the same rule.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO authenticated;
-- Global tables have no RLS, so every migration that creates one must narrow these
-- defaults for it (REVOKE ... FROM authenticated; GRANT SELECT for reference data).
-- The catalog test "authenticated can only write tables with RLS" fails when one is missed.
