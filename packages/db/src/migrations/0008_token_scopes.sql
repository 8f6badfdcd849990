-- Custom migration: token scopes. authenticate_token also answers the token's scopes (what
-- the MCP server enforces per tool); otherwise it is 0005's function unchanged. A function's
-- result type cannot be replaced in place, so it is dropped and created again in this one
-- transaction. Tokens created before scopes existed keep working as before: they get every
-- scope (src/auth/scopes.ts lists them).
UPDATE public.personal_access_token
   SET scopes = ARRAY['research:read', 'research:write', 'search:read', 'documents:read', 'documents:write', 'usage:read']
 WHERE scopes = '{}';--> statement-breakpoint
DROP FUNCTION public.authenticate_token(text, text);--> statement-breakpoint
CREATE FUNCTION public.authenticate_token(p_token_hash text, p_organization_id text DEFAULT NULL)
RETURNS TABLE (user_id text, organization_id text, token_hash text, outcome text, scopes text[])
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
  v_scopes text[];
BEGIN
  SELECT t.id, t.user_id, t.token_hash, t.expires_at, t.revoked_at, t.last_used_at, t.scopes
    INTO v_id, v_user_id, v_token_hash, v_expires_at, v_revoked_at, v_last_used_at, v_scopes
    FROM public.personal_access_token AS t
   WHERE t.token_hash = p_token_hash;
  IF NOT FOUND THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'unknown'::text, NULL::text[];
    RETURN;
  END IF;
  IF v_revoked_at IS NOT NULL THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'revoked'::text, NULL::text[];
    RETURN;
  END IF;
  IF v_expires_at IS NOT NULL AND v_expires_at <= now() THEN
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'expired'::text, NULL::text[];
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
    RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, 'no_membership'::text, NULL::text[];
    RETURN;
  END IF;

  IF v_last_used_at IS NULL OR v_last_used_at < now() - interval '1 minute' THEN
    UPDATE public.personal_access_token AS t SET last_used_at = now() WHERE t.id = v_id;
  END IF;
  RETURN QUERY SELECT v_user_id, v_organization_id, v_token_hash, 'ok'::text, v_scopes;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION public.authenticate_token(text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.authenticate_token(text, text) TO app_runtime;
