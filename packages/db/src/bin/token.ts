// `pnpm db:token create --org <id> --user <id> --scopes a,b|all [--expires 30d] [--name text]`
// prints a new personal access token once (only its sha256 is stored); `list [--user <id>]`
// shows prefix, scopes, last use and expiry; `revoke <id|prefix>`. Runs as the owner on
// DATABASE_URL or the embedded database (stop `pnpm dev` first: one process per PGlite).
import { parseArgs } from "node:util";
import {
  issueToken,
  listTokens,
  parseLifetime,
  parseScopes,
  revokeToken,
  TokenRequestError,
} from "../auth/manage";
import { SCOPES } from "../auth/scopes";
import { createDatabase } from "../connection/client";
import { ownerTarget } from "../connection/connections";

const USAGE = `usage:
  pnpm db:token create --org <organization id> --user <user id> --scopes <a,b|all> [--expires 30d] [--name text]
  pnpm db:token list [--user <user id>]
  pnpm db:token revoke <token id | prefix>
scopes: ${SCOPES.join(", ")}`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    org: { type: "string" },
    user: { type: "string" },
    scopes: { type: "string" },
    expires: { type: "string" },
    name: { type: "string" },
  },
});
const [command, ...rest] = positionals;

const when = (date: Date | null) => (date ? date.toISOString().replace(/\.\d+Z$/, "Z") : "-");

const handle = createDatabase(ownerTarget());
try {
  if (command === "create" && values.org && values.user && values.scopes && rest.length === 0) {
    const issued = await issueToken(handle.db, {
      organizationId: values.org,
      userId: values.user,
      scopes: parseScopes(values.scopes),
      ...(values.name ? { name: values.name } : {}),
      ...(values.expires ? { expiresInMs: parseLifetime(values.expires) } : {}),
    });
    console.log(issued.token);
    console.error(
      `Token ${issued.id} (${issued.prefix}...) created, expires ${when(issued.expiresAt)}. It is shown only now: store it in your MCP client.`,
    );
  } else if (command === "list" && rest.length === 0) {
    const tokens = await listTokens(handle.db, values.user ? { userId: values.user } : {});
    if (tokens.length === 0) console.log("No tokens.");
    for (const t of tokens) {
      const state = t.revokedAt
        ? "revoked"
        : t.expiresAt && t.expiresAt <= new Date()
          ? "expired"
          : "active";
      console.log(
        [
          t.prefix,
          t.id,
          t.userId,
          state,
          `scopes=${t.scopes.join(",") || "-"}`,
          `last_used=${when(t.lastUsedAt)}`,
          `expires=${when(t.expiresAt)}`,
        ].join("  "),
      );
    }
  } else if (command === "revoke" && rest.length === 1) {
    const revoked = await revokeToken(handle.db, rest[0] as string);
    if (revoked.length === 0) {
      throw new TokenRequestError(
        `No active token has the id or prefix ${rest[0]}: see pnpm db:token list.`,
      );
    }
    console.log(`Revoked ${revoked.join(", ")}.`);
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(
    error instanceof TokenRequestError
      ? error.message
      : `db:token failed: ${error instanceof Error ? error.message : error}`,
  );
  process.exitCode = 1;
} finally {
  await handle.close();
}
