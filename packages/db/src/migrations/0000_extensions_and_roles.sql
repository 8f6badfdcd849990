-- Custom migration: what every later migration stands on. drizzle-kit never generates these.
-- pgvector: halfvec columns and HNSW indexes (document_chunk).
CREATE EXTENSION IF NOT EXISTS vector;--> statement-breakpoint
-- The role tenant queries run as (SET LOCAL ROLE inside withTenantContext). It cannot log in
-- and never bypasses RLS; roles are cluster-wide, so create it only when missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOBYPASSRLS NOINHERIT;
  END IF;
END
$$;
