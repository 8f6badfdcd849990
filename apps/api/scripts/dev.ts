// `pnpm dev`: migrates the database as the owner, seeds the dev tier (idempotent), serves the
// API on HOST:PORT with the app database (runtime role) and prints ready-to-paste requests.
// No env: the embedded PGlite in .data/pglite (owner and app share ONE PGlite in this
// process; no other process may open it meanwhile). DATABASE_URL: that server.
// Lives outside src/ because it holds the owner connection (@repo/db/admin), which request
// handling code may not import (dependency-cruiser: apps-no-db-admin).
import { closeDb, createPreparerPool, getDb, loadEnvFile } from "@repo/db";
import {
  closeOwnerDb,
  describeTarget,
  getOwnerDb,
  MigrationError,
  migrate,
  ownerTarget,
  seed,
} from "@repo/db/admin";
import { clientConfig, createMcpApp, startMcpServer } from "@repo/mcp";
import { createApp } from "../src/app";
import { apiEnv } from "../src/env";
import { startServer } from "../src/serve";
import { onShutdown } from "../src/shutdown";

if (process.env.NODE_ENV === "production") {
  // The dev seed writes demo tokens anyone can read in this repository.
  console.error("pnpm dev seeds demo tokens: refusing to run with NODE_ENV=production.");
  process.exit(1);
}

loadEnvFile();
const { HOST, PORT } = apiEnv();
console.log(`Database: ${describeTarget(ownerTarget())}`);
let tokens: Awaited<ReturnType<typeof seed>>["tokens"];
try {
  const owner = getOwnerDb();
  const result = await migrate({ db: owner, log: (line) => console.log(line) });
  console.log(result.ran.length ? `Applied ${result.ran.length} migration(s).` : "Up to date.");
  const seeded = await seed({ db: owner, tier: "dev" });
  tokens = seeded.tokens;
  const rows = Object.values(seeded.counts).reduce((a, b) => a + b, 0);
  console.log(`Dev seed: ${rows} rows present (idempotent; existing rows are kept).`);
} catch (error) {
  console.error(error instanceof MigrationError ? `Migration refused: ${error.message}` : error);
  await closeOwnerDb();
  process.exit(1);
}

const preparer = createPreparerPool();
const server = await startServer(createApp({ db: getDb(), preparer }), {
  port: PORT,
  hostname: HOST,
});
const base = server.url.replace("//127.0.0.1:", "//localhost:");
console.log(`\nAPI ready on ${base}  (GET /health needs no token)`);
console.log(`API reference: ${base}/docs  (contract: ${base}/openapi.json)\n`);
console.log("Try, one demo token per organization:");
for (const { organization, token } of tokens) {
  console.log(`  # ${organization}`);
  console.log(`  curl -H "Authorization: Bearer ${token}" ${base}/v1/research/plans`);
}
const first = tokens[0];
if (first) {
  const auth = `-H "Authorization: Bearer ${first.token}"`;
  console.log(`\nMore (${first.organization}):`);
  console.log(`  curl ${auth} "${base}/v1/search?q=battery+chemistry&limit=3"`);
  console.log(`  curl ${auth} ${base}/v1/ai/usage/summary`);
  console.log(
    `  curl ${auth} -H "Content-Type: application/json" -d '{"title":"New plan","objective":"Try the API"}' ${base}/v1/research/plans`,
  );
}
// The MCP server in this process too: one PGlite has one owner process.
const mcp = await startMcpServer(createMcpApp({ db: getDb(), preparer }), {
  port: Number(process.env.MCP_PORT ?? 3001),
  hostname: HOST,
});
const mcpUrl = mcp.url.replace("//127.0.0.1:", "//localhost:");
console.log(
  `\nMCP server ready on ${mcpUrl} (Streamable HTTP). Client config, one demo token per organization:`,
);
console.log(JSON.stringify(clientConfig(mcpUrl, tokens), null, 2));
console.log("\nCtrl-C stops the servers and closes the database.");

onShutdown(async () => {
  await Promise.all([server.close(), mcp.close()]);
  await Promise.all([closeDb(), preparer.close()]);
  await closeOwnerDb();
});
