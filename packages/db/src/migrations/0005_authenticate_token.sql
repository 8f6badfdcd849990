-- Custom migration: the two functions the runtime role (app_runtime) may call outside
-- withTenantContext. Both are SECURITY DEFINER (they run as the migration owner), pin
-- search_path, schema-qualify every table, and are executable by app_runtime only.
--
-- authenticate_token: API authentication. app_runtime and authenticated cannot read
-- personal_access_token or member on their own (0002 revokes the token table; member is
-- RLS-filtered by an organization the caller does not know yet), so this function is the one
-- way in. It takes the sha256 hex of a bearer token (never the token) and an optional
-- requested organization, and answers one row:
--   outcome 'unknown'       no token with that hash
--   outcome 'revoked'       revoked_at is set
--   outcome 'expired'       expires_at is in the past
--   outcome 'no_membership' the user is not a member of the requested organization, or,
--                           with none requested, does not have exactly one membership
--   outcome 'ok'            user_id, organization_id and the stored token_hash (the caller
--                           compares it with its own in constant time)
-- last_used_at is written on success at most once a minute per token: a write per request
-- would make every request of a token queue on that row's lock.
CREATE OR REPLACE FUNCTION public.authenticate_token(p_token_hash text, p_organization_id text DEFAULT NULL)
RETURNS TABLE (user_id text, organization_id text, token_hash text, outcome text)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_id text;
  v_user_id text;
  v_token_hash text;
  v_expires_at timestamptz;
  v_revoked_at timestamptz;
  v_last_used_at timestamptz;
  v_organization_id text;
  v_memberships integer;
BEGIN
  SELECT t.id, t.user_id, t.token_hash, t.expires_at, t.revoked_at, t.last_used_at
    INTO v_id, v_user_id, v_token_hash, v_expires_at, v_revoked_at, v_last_used_at
    FROM public.personal_access_token AS t
   WHERE t.token_hash = p_token_hash;
  IF NOT FOUND THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'unknown'::text;
    RETURN;
  END IF;
  IF v_revoked_at IS NOT NULL THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'revoked'::text;
    RETURN;
  END IF;
  IF v_expires_at IS NOT NULL AND v_expires_at <= now() THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'expired'::text;
    RETURN;
  END IF;

  IF p_organization_id IS NOT NULL THEN
    SELECT m.organization_id INTO v_organization_id
      FROM public.member AS m
     WHERE m.user_id = v_user_id AND m.organization_id = p_organization_id;
  ELSE
    SELECT min(m.organization_id), count(*) INTO v_organization_id, v_memberships
      FROM public.member AS m
     WHERE m.user_id = v_user_id;
    IF v_memberships <> 1 THEN
      v_organization_id := NULL;
    END IF;
  END IF;
  IF v_organization_id IS NULL THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'no_membership'::text;
    RETURN;
  END IF;

  IF v_last_used_at IS NULL OR v_last_used_at < now() - interval '1 minute' THEN
    UPDATE public.personal_access_token AS t SET last_used_at = now() WHERE t.id = v_id;
  END IF;
  RETURN QUERY SELECT v_user_id, v_organization_id, v_token_hash, 'ok'::text;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.authenticate_token(text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.authenticate_token(text, text) TO app_runtime;--> statement-breakpoint
-- migration_state: for an app's health check, which must not hold the owner connection. The
-- number of applied migrations and the journal `when` of the newest one (drizzle's
-- created_at); the app compares them with the journal it was built with.
CREATE OR REPLACE FUNCTION public.migration_state()
RETURNS TABLE (applied integer, newest_created_at bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT count(*)::integer, max(m.created_at) FROM drizzle.__drizzle_migrations AS m
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.migration_state() FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.migration_state() TO app_runtime;
