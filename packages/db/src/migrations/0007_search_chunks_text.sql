-- Full-text search over the current tenant's chunks that can use the GIN index under the
-- runtime role. Under the tenant policies Postgres may not evaluate `search_vector @@ query`
-- before the policy's filter, because tsvector @@ tsquery (ts_match_vq) is not LEAKPROOF, so
-- it is never a GIN index condition and every chunk of the tenant is read; marking it
-- LEAKPROOF needs a superuser. Instead, one SECURITY DEFINER function filters by the tenant
-- setting itself: search_chunks_text, owned by tenant_search, a role that can read
-- document_chunk and nothing else, through a policy of `true` (which adds no qual, so the
-- index may serve @@). Executable by `authenticated` alone: tenant code inside
-- withTenantContext. packages/db/CLAUDE.md lists it under "RLS Bypasses"; the schema guard
-- fails on any SECURITY DEFINER function or non-tenant policy not listed there.
--
-- Manual addition: the role, before the policy drizzle-kit generated for it. NOLOGIN and
-- NOINHERIT, no member: nobody can act as it except through the function below.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenant_search') THEN
    CREATE ROLE tenant_search NOLOGIN NOINHERIT NOBYPASSRLS;
  END IF;
END
$$;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO tenant_search;--> statement-breakpoint
GRANT SELECT ON TABLE public.document_chunk TO tenant_search;--> statement-breakpoint
CREATE POLICY "document_chunk_tenant_search_select" ON "document_chunk" AS PERMISSIVE FOR SELECT TO "tenant_search" USING (true);--> statement-breakpoint
-- Manual addition: the function. It answers the chunks of the organization in
-- app.current_organization_id (read with current_setting, no sub-select) matching
-- websearch_to_tsquery('english', p_query), best ts_rank_cd first, at most p_limit (1..400):
--   - no rows when the setting is unset or blank (fails closed, as the tenant policies);
--   - no rows for a query of stop words only;
--   - program_limit_exceeded (54000) for a query of more than 96 tsquery nodes (numnode);
--   - at most least(10000, 200000 / nodes) matching chunks are ranked (more matches: the
--     first ones found): ts_rank_cd's cost on a chunk grows with the query's nodes, so this
--     bounds a broad query's ranking whatever the tenant's size and the query's length.
-- plan_cache_mode = force_custom_plan: planned for this tenant and this query on every call;
-- a generic plan cached for one tenant's size would serve tenants of every size.
CREATE OR REPLACE FUNCTION public.search_chunks_text(p_query text, p_limit integer)
RETURNS TABLE (id text, document_id text, content text, score real)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
  v_organization_id text := current_setting('app.current_organization_id', true);
  v_query tsquery;
  v_nodes integer;
BEGIN
  IF v_organization_id IS NULL OR btrim(v_organization_id) = '' THEN
    RETURN;
  END IF;
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 400 THEN
    RAISE EXCEPTION 'search_chunks_text: p_limit must be from 1 to 400 (got %)', p_limit
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_query := websearch_to_tsquery('english', coalesce(p_query, ''));
  v_nodes := numnode(v_query);
  IF v_nodes = 0 THEN
    RETURN;
  END IF;
  IF v_nodes > 96 THEN
    RAISE EXCEPTION 'search query too complex: % tsquery nodes, at most 96 are allowed; use fewer words', v_nodes
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  RETURN QUERY
    SELECT m.id, m.document_id, m.content, ts_rank_cd(m.search_vector, v_query)
      FROM (SELECT c.id, c.document_id, c.content, c.search_vector
              FROM public.document_chunk AS c
             WHERE c.organization_id = v_organization_id AND c.search_vector @@ v_query
             LIMIT least(10000, 200000 / v_nodes)) AS m
     ORDER BY 4 DESC, 1
     LIMIT p_limit;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.search_chunks_text(text, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.search_chunks_text(text, integer) TO authenticated;--> statement-breakpoint
-- Last, as the new owner inherits these grants. A migration owner that is not a superuser
-- (managed Postgres) may give an object only to a role it can SET ROLE to and that may create
-- in the schema: it gets both for this transaction only.
DO $$
DECLARE
  v_superuser boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
BEGIN
  IF NOT v_superuser THEN
    EXECUTE format('GRANT tenant_search TO %I', current_user);
    GRANT CREATE ON SCHEMA public TO tenant_search;
  END IF;
  ALTER FUNCTION public.search_chunks_text(text, integer) OWNER TO tenant_search;
  IF NOT v_superuser THEN
    REVOKE CREATE ON SCHEMA public FROM tenant_search;
    EXECUTE format('REVOKE tenant_search FROM %I', current_user);
  END IF;
END
$$;
