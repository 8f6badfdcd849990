// Production entry: serves the API on HOST:PORT with the app database (APP_DATABASE_URL, a
// login as app_runtime). It never migrates or seeds: run `pnpm db:migrate` first; GET /health
// answers 503 until the database matches the code. Before data routes serve anything, the
// login is verified (verifyRuntimeRole): a login with owner powers stops the process.
// Development: `pnpm dev` (scripts/dev.ts).
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
import { createApp } from "./app";
import { apiEnv } from "./env";
import { createLogger, describeError } from "./log";
import { startServer } from "./serve";
import { onFatal, onShutdown } from "./shutdown";

loadEnvFile();
const log = createLogger();
const { HOST, PORT } = apiEnv();

let verified = false;
const preparer = createPreparerPool();
const server = await startServer(createApp({ logger: log, preparer, ready: () => verified }), {
  port: PORT,
  hostname: HOST,
});
log.info({ url: server.url }, "API listening");

const stop = async () => {
  await server.close();
  await Promise.all([closeDb(), preparer.close()]);
};
onShutdown(stop);
onFatal(log, stop);

// The database may not be up yet (or may restart): retry until the login can be checked.
for (let attempt = 1; !verified; attempt++) {
  try {
    await verifyRuntimeRole(getDb());
    verified = true;
    log.info("database login verified: serving data routes");
  } catch (error) {
    if (error instanceof UnsafeRuntimeRoleError) {
      console.error(error.message);
      await stop();
      process.exit(1);
    }
    const transient =
      error instanceof DatabaseUnavailableError || error instanceof DatabaseTimeoutError;
    log.warn(
      { attempt, ...describeError(error) },
      "cannot verify the database login yet; retrying",
    );
    if (!transient && attempt >= 5) {
      console.error(
        `Cannot verify the database login: ${error instanceof Error ? error.message : error}`,
      );
      await stop();
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
  }
}
