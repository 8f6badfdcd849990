// Production entry: serves the API on HOST:PORT with the app database (APP_DATABASE_URL, a
// login as app_runtime). It never migrates or seeds: run `pnpm db:migrate` first; GET /health
// answers 503 until the database matches the code. Development: `pnpm dev` (scripts/dev.ts).
import { closeDb } from "@repo/db";
import { createApp } from "./app";
import { apiEnv } from "./env";
import { startServer } from "./serve";
import { onShutdown } from "./shutdown";

const { HOST, PORT } = apiEnv();
const server = await startServer(createApp(), { port: PORT, hostname: HOST });
console.log(`API listening on ${server.url}`);
onShutdown(async () => {
  await server.close();
  await closeDb();
});
