import { authenticateToken, type Database } from "@repo/db";

/** Who calls: an authenticated token's user, organization and scopes. */
export interface Caller {
  readonly organizationId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
}

// RFC 6750 b64token, bounded: anything else is refused before the database is asked.
const TOKEN = /^[A-Za-z0-9\-._~+/]{1,512}=*$/;
const MAX_ORGANIZATION_ID = 256;

/** A token that does not authenticate: unknown, expired, revoked, malformed or no membership. */
export class TokenRefusedError extends Error {
  override readonly name = "TokenRefusedError";
  constructor() {
    super("A valid personal access token for this organization is required.");
  }
}

/**
 * The caller a token stands for (authenticate_token on the runtime role: scopes included).
 * TokenRefusedError for every kind of refusal; database failures propagate as they are.
 */
export async function callerOf(
  db: Database,
  token: string | undefined,
  organizationId?: string | null,
): Promise<Caller> {
  if (
    !token ||
    !TOKEN.test(token) ||
    (organizationId != null && organizationId.length > MAX_ORGANIZATION_ID)
  ) {
    throw new TokenRefusedError();
  }
  const result = await authenticateToken(db, token, { organizationId: organizationId ?? null });
  if (result.outcome !== "ok") throw new TokenRefusedError();
  return { organizationId: result.organizationId, userId: result.userId, scopes: result.scopes };
}
