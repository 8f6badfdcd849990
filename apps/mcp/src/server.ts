// Production entry: serves MCP over Streamable HTTP on MCP_HOST:MCP_PORT (POST /mcp) with the
// app database (APP_DATABASE_URL, a login as app_runtime), like apps/api: it never migrates,
// refuses a login with owner powers (verifyRuntimeRole) and answers 503 until it is checked
// or while the database is lost. Local clients: src/stdio.ts. Development: `pnpm dev`.
import {
  closeDb,
  createPreparerPool,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  getDb,
  loadEnvFile,
  UnsafeRuntimeRoleError,
  verifyRuntimeRole,
} from "@repo/db";
import { createMcpApp } from "./app";
import { mcpEnv } from "./env";
import { startMcpServer } from "./serve";

loadEnvFile();
const { MCP_HOST, MCP_PORT } = mcpEnv();
let verified = false;
const preparer = createPreparerPool();
const server = await startMcpServer(createMcpApp({ preparer, ready: () => verified }), {
  port: MCP_PORT,
  hostname: MCP_HOST,
});
console.log(`MCP server listening on ${server.url}`);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) process.exit(code);
  stopping = true;
  await server.close();
  await Promise.all([closeDb(), preparer.close()]);
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

// The database may not be up yet (or may restart): retry until the login can be checked.
for (let attempt = 1; !verified; attempt++) {
  try {
    await verifyRuntimeRole(getDb());
    verified = true;
  } catch (error) {
    if (error instanceof UnsafeRuntimeRoleError) {
      console.error(error.message);
      await stop(1);
    }
    const transient =
      error instanceof DatabaseUnavailableError || error instanceof DatabaseTimeoutError;
    if (!transient && attempt >= 5) {
      console.error(
        `Cannot verify the database login: ${error instanceof Error ? error.message : error}`,
      );
      await stop(1);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
  }
}
