import { createDatabase, type Database, type DatabaseHandle, type DatabaseTarget } from "./client";
import { env } from "./env";
import { RUNTIME_ROLE } from "./roles";

/** The owner: migrations, seeds, system jobs. DATABASE_URL, else the embedded database. */
export function ownerTarget(): DatabaseTarget {
  const config = env();
  if (!config.DATABASE_URL) return { dataDir: config.PGLITE_DATA_DIR };
  return {
    url: config.DATABASE_URL,
    max: config.DB_POOL_MAX,
    idleTimeoutSeconds: config.DB_IDLE_TIMEOUT_SECONDS,
    connectTimeoutSeconds: config.DB_CONNECT_TIMEOUT_SECONDS,
    prepare: config.DB_PREPARED_STATEMENTS,
  };
}

/**
 * Apps: APP_DATABASE_URL (a login as app_runtime), else the owner's connection running as
 * app_runtime. Either way a query outside withTenantContext fails with "permission denied".
 */
export function appTarget(): DatabaseTarget {
  const { APP_DATABASE_URL } = env();
  const owner = ownerTarget();
  if (APP_DATABASE_URL && "url" in owner) return { ...owner, url: APP_DATABASE_URL };
  if (APP_DATABASE_URL) return { url: APP_DATABASE_URL };
  return { ...owner, role: RUNTIME_ROLE };
}

/** A printable name of a target, without credentials. */
export function describeTarget(target: DatabaseTarget): string {
  const role = target.role ? ` (as role ${target.role})` : "";
  if ("dataDir" in target) return `embedded Postgres (PGlite) in ${target.dataDir}${role}`;
  if ("pglite" in target) return `embedded Postgres (PGlite, in memory)${role}`;
  const url = new URL(target.url);
  const user = decodeURIComponent(url.username) || "(default user)";
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname} as ${user}${role}`;
}

function singleton(target: () => DatabaseTarget) {
  let handle: DatabaseHandle | undefined;
  return {
    get: (): Database => {
      handle ??= createDatabase(target());
      return handle.db;
    },
    close: async (): Promise<void> => {
      const current = handle;
      handle = undefined;
      await current?.close();
    },
  };
}

const app = singleton(appTarget);
const owner = singleton(ownerTarget);

/** The process-wide app database (runtime role): use it through withTenantContext. */
export const getDb = app.get;
/** Closes the app database; the next getDb() opens it again. */
export const closeDb = app.close;
/** The process-wide owner database (bypasses RLS): migrations, seeds, system jobs only. */
export const getOwnerDb = owner.get;
/** Closes the owner database. */
export const closeOwnerDb = owner.close;
