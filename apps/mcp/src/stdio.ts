// stdio entry for local MCP clients (Claude Desktop, Cursor, ...): the client starts this
// process and talks JSON-RPC over stdin/stdout. The token comes from MCP_TOKEN (and the
// organization, when the user has several, from MCP_ORGANIZATION_ID); a missing or refused
// token stops it at startup with one line on stderr and exit code 1.
import { closeDb, getDb, loadEnvFile, UnsafeRuntimeRoleError, verifyRuntimeRole } from "@repo/db";
import { mcpEnv } from "./env";
import { StdioStartupError, startStdioServer } from "./stdio-server";

loadEnvFile();

let server: Awaited<ReturnType<typeof startStdioServer>>;
try {
  // Like the HTTP entry: a login with owner powers would let RLS bind nothing.
  await verifyRuntimeRole(getDb()).catch((error: unknown) => {
    if (error instanceof UnsafeRuntimeRoleError) throw new StdioStartupError(error.message);
  });
  server = await startStdioServer({
    db: getDb(),
    token: mcpEnv().MCP_TOKEN,
    organizationId: mcpEnv().MCP_ORGANIZATION_ID ?? null,
    input: process.stdin,
    output: process.stdout,
  });
} catch (error) {
  console.error(error instanceof StdioStartupError ? error.message : `Cannot start: ${error}`);
  await closeDb().catch(() => undefined);
  process.exit(1);
}

const stop = async () => {
  await server.close();
  await closeDb();
  process.exit(0);
};
process.stdin.on("end", () => void stop());
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
