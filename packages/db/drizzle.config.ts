import { defineConfig } from "drizzle-kit";
import { env, loadEnvFile } from "./src/connection/env";

loadEnvFile();

// generate and check need no database. push and studio need one: with DATABASE_URL unset,
// `pnpm db:push` / `pnpm db:studio` serve the embedded database on a local port and set
// DATABASE_URL for this file (src/bin/with-database.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "./src/migrations",
  dbCredentials: {
    url: env().DATABASE_URL ?? "",
  },
  verbose: true,
  strict: true,
});
