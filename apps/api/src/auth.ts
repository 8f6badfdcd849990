import {
  authenticateToken,
  type Database,
  type HeavyWorkGate,
  type TokenAuthentication,
  withTenantContext,
  withTokenContext,
} from "@repo/db";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Caller } from "./context";
import { unauthorized } from "./errors";

// RFC 6750 b64token, bounded: anything else is refused before the database is asked.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]{1,512}=*)$/i;
const MAX_ORGANIZATION_ID = 256;

const accepted = (result: TokenAuthentication): Caller => {
  if (result.outcome !== "ok") throw unauthorized();
  return { organizationId: result.organizationId, userId: result.userId };
};

/**
 * `Authorization: Bearer <personal access token>`, optionally `X-Organization-Id`, resolved by
 * the SECURITY DEFINER function authenticate_token on the runtime role. Every refusal is the
 * same 401. The handler runs its database work in `c.var.tenant(fn)`, once per request:
 * - reads (GET, HEAD): the token check is the unit's own first statement (withTokenContext),
 *   so a read costs one round trip (a search two, see below); `c.var.caller` is set once the
 *   unit has run. A read that never opens its unit still has its token checked before it
 *   answers.
 * - writes: the token is checked first (a write names its organization in its first
 *   statement), `c.var.caller` is set, then `fn` runs in withTenantContext.
 * Heavy work (search, ingestion) runs inside `c.var.heavy(work)`, which waits for a turn of
 * the caller's organization at `gate`, once per request; a read calling it has its token
 * checked first (the organization is the gate's key), and checked again by its unit, so a
 * token revoked while the request waited runs nothing.
 */
export function authenticate(db: () => Database, gate: HeavyWorkGate): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = BEARER.exec(c.req.header("authorization") ?? "")?.[1];
    const requested = c.req.header("x-organization-id") ?? null;
    if (!token || (requested !== null && requested.length > MAX_ORGANIZATION_ID)) {
      throw unauthorized();
    }
    const credentials = { token, organizationId: requested };
    let used = false;
    const once = () => {
      if (used) {
        throw new Error(
          `${c.req.method} ${c.req.path} opened a second tenant transaction: do all of a request's work in one c.var.tenant(...) call.`,
        );
      }
      used = true;
    };

    let caller: Caller | undefined;
    const check = async () => {
      caller ??= accepted(await authenticateToken(db(), token, credentials));
      c.set("caller", caller);
      return caller;
    };
    let heavy = false;
    c.set("heavy", async (work) => {
      if (heavy) {
        throw new Error(
          `${c.req.method} ${c.req.path} asked for a second turn of heavy work: its organization's only turn is its own, so it would wait for itself. Do the request's heavy work in one c.var.heavy(...) call.`,
        );
      }
      heavy = true;
      return gate((await check()).organizationId, work, c.req.raw.signal);
    });

    if (c.req.method === "GET" || c.req.method === "HEAD") {
      c.set("tenant", async (fn) => {
        once();
        const unit = await withTokenContext(db(), credentials, fn);
        if (unit.outcome !== "ok") throw unauthorized();
        c.set("caller", { organizationId: unit.organizationId, userId: unit.userId });
        return unit.value;
      });
      await next();
      if (!used && !caller && c.res.ok) await check();
      return;
    }

    const checked = await check();
    c.set("tenant", (fn) => {
      once();
      return withTenantContext(db(), checked, fn);
    });
    await next();
  };
}
