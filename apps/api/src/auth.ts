import { authenticateToken, type Database, withTenantContext } from "@repo/db";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Caller } from "./context";
import { unauthorized } from "./errors";

// RFC 6750 b64token, bounded: anything else is refused before the database is asked.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/i;
const MAX_ORGANIZATION_ID = 256;

/**
 * `Authorization: Bearer <personal access token>`, optionally `X-Organization-Id`: resolved by
 * the SECURITY DEFINER function authenticate_token on the runtime role, outside any tenant
 * context. Every refusal is the same 401. On success the handler gets `c.var.caller` and
 * `c.var.tenant(fn)`, which runs `fn` in withTenantContext for the caller, once per request.
 */
export function authenticate(db: () => Database): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    const requested = c.req.header("x-organization-id");
    if (!token || (requested !== undefined && requested.length > MAX_ORGANIZATION_ID)) {
      throw unauthorized();
    }
    const result = await authenticateToken(db(), token, { organizationId: requested ?? null });
    if (result.outcome !== "ok") throw unauthorized();

    const caller: Caller = { organizationId: result.organizationId, userId: result.userId };
    let used = false;
    c.set("caller", caller);
    c.set("tenant", (fn) => {
      if (used) {
        throw new Error(
          `${c.req.method} ${c.req.path} opened a second tenant transaction: do all of a request's work in one c.var.tenant(...) call.`,
        );
      }
      used = true;
      return withTenantContext(db(), caller, fn);
    });
    await next();
  };
}
