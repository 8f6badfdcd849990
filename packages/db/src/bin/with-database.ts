// Runs a command (drizzle-kit push / studio) against the project's database. With
// DATABASE_URL set it runs as is. Without, it serves the embedded database (PGlite with
// pgvector, which drizzle-kit's own PGlite driver lacks) on a loopback port to that one
// client: pglite-socket multiplexes everything onto one backend, fine for one tool, never a pool.
import { spawn } from "node:child_process";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { openPglite } from "../connection/client";
import { env, loadEnvFile } from "../connection/env";

const [command, ...args] = process.argv.slice(2);
if (!command || command === "--help" || command === "-h") {
  console.error(
    "usage: tsx src/bin/with-database.ts <command> [args...]\n  Runs <command> with DATABASE_URL and PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE set to the project's database (the embedded one served on a loopback port when DATABASE_URL is unset).",
  );
  process.exit(command ? 0 : 2);
}

/** libpq's variables for `url`, so psql and pg_dump connect without arguments. */
function libpqEnv(url: string): NodeJS.ProcessEnv {
  const parsed = new URL(url);
  return {
    DATABASE_URL: url,
    PGHOST: parsed.hostname,
    PGPORT: parsed.port || "5432",
    PGUSER: decodeURIComponent(parsed.username),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
    ...(parsed.password ? { PGPASSWORD: decodeURIComponent(parsed.password) } : {}),
  };
}

function runChild(childEnv: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(command as string, args, { stdio: "inherit", env: childEnv, shell: false });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}

loadEnvFile();
const config = env();
if (config.DATABASE_URL) {
  process.exitCode = await runChild({ ...process.env, ...libpqEnv(config.DATABASE_URL) });
} else {
  const pglite = openPglite({ dataDir: config.PGLITE_DATA_DIR });
  await pglite.waitReady;
  const server = new PGLiteSocketServer({
    db: pglite,
    host: "127.0.0.1",
    port: 0,
    maxConnections: 1,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  console.error(
    `Serving the embedded database (${config.PGLITE_DATA_DIR}) at ${url} for ${command}`,
  );
  try {
    process.exitCode = await runChild({ ...process.env, ...libpqEnv(url) });
  } finally {
    await server.stop();
    await pglite.close();
  }
}
