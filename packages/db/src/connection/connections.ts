import { RUNTIME_ROLE } from "../tenancy/roles";
import { RUNTIME_TIMEOUTS } from "../tenancy/setup";
import {
  createDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseTarget,
  type ServerTarget,
} from "./client";
import { type Env, env } from "./env";

/** RUNTIME_TIMEOUTS as Postgres session settings. */
function runtimeSessionSettings(): Record<string, string> {
  return {
    statement_timeout: String(RUNTIME_TIMEOUTS.statementTimeoutMs),
    lock_timeout: String(RUNTIME_TIMEOUTS.lockTimeoutMs),
    idle_in_transaction_session_timeout: String(RUNTIME_TIMEOUTS.idleInTransactionTimeoutMs),
  };
}

/** Pool settings from the environment: they apply to every server target, owner and app alike. */
function serverTarget(url: string, config: Env): ServerTarget {
  if (config.DB_DRIVER === "neon-serverless") {
    return {
      driver: "neon-serverless",
      url,
      max: config.DB_POOL_MAX,
      idleTimeoutSeconds: config.DB_IDLE_TIMEOUT_SECONDS,
      connectTimeoutSeconds: config.DB_CONNECT_TIMEOUT_SECONDS,
      ...(config.NEON_WS_PROXY ? { wsProxy: config.NEON_WS_PROXY } : {}),
    };
  }
  return {
    url,
    max: config.DB_POOL_MAX,
    idleTimeoutSeconds: config.DB_IDLE_TIMEOUT_SECONDS,
    connectTimeoutSeconds: config.DB_CONNECT_TIMEOUT_SECONDS,
    maxLifetimeSeconds: config.DB_MAX_LIFETIME_SECONDS,
    prepare: config.DB_PREPARED_STATEMENTS,
    acquireTimeoutMs: config.DB_ACQUIRE_TIMEOUT_MS,
    ...(config.DB_TENANT_CONCURRENCY ? { tenantConcurrency: config.DB_TENANT_CONCURRENCY } : {}),
  };
}

/** The owner: migrations, seeds, system jobs. DATABASE_URL, else the embedded database. */
export function ownerTarget(config: Env = env()): DatabaseTarget {
  return config.DATABASE_URL
    ? serverTarget(config.DATABASE_URL, config)
    : { dataDir: config.PGLITE_DATA_DIR };
}

/**
 * Apps: APP_DATABASE_URL (a login as app_runtime), else, for development, the owner's
 * connection running as app_runtime (a `role` startup parameter on a direct server
 * connection, SET LOCAL ROLE on PGlite). Either way a query outside withTenantContext fails
 * with "permission denied".
 */
export function appTarget(config: Env = env()): DatabaseTarget {
  const replica = appReplicaTarget(config);
  if (config.APP_DATABASE_URL) {
    return { ...serverTarget(config.APP_DATABASE_URL, config), ...(replica ? { replica } : {}) };
  }
  const owner = ownerTarget(config);
  if ("url" in owner) {
    // Role settings (migration 0006) apply to logins as app_runtime only: send them along.
    return {
      ...owner,
      role: RUNTIME_ROLE,
      settings: runtimeSessionSettings(),
      ...(replica ? { replica } : {}),
    };
  }
  return { ...owner, role: RUNTIME_ROLE };
}

/**
 * The replica for read-only tenant units, logged in like the primary: APP_DATABASE_REPLICA_URL
 * as app_runtime, else DATABASE_REPLICA_URL running as app_runtime with its timeouts.
 */
function appReplicaTarget(config: Env): ServerTarget | undefined {
  if (config.APP_DATABASE_REPLICA_URL) return serverTarget(config.APP_DATABASE_REPLICA_URL, config);
  if (config.DATABASE_REPLICA_URL) {
    return {
      ...serverTarget(config.DATABASE_REPLICA_URL, config),
      role: RUNTIME_ROLE,
      settings: runtimeSessionSettings(),
    };
  }
  return undefined;
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

function singleton(target: () => DatabaseTarget, onOpen?: (target: DatabaseTarget) => void) {
  let handle: DatabaseHandle | undefined;
  return {
    get: (): Database => {
      if (!handle) {
        const chosen = target();
        onOpen?.(chosen);
        handle = createDatabase(chosen);
      }
      return handle.db;
    },
    close: async (): Promise<void> => {
      const current = handle;
      handle = undefined;
      await current?.close();
    },
  };
}

const app = singleton(
  () => appTarget(),
  (target) => {
    if ("url" in target && target.role) {
      console.warn(
        `[db] APP_DATABASE_URL is unset: the app uses DATABASE_URL as role ${target.role} through a startup parameter. Development only (poolers refuse it, and the login keeps the owner's powers): set APP_DATABASE_URL in production.`,
      );
    }
  },
);
const owner = singleton(() => ownerTarget());

/** The process-wide app database (runtime role): use it through withTenantContext. */
export const getDb = app.get;
/** Closes the app database; the next getDb() opens it again. */
export const closeDb = app.close;
/** The process-wide owner database (bypasses RLS): migrations, seeds, system jobs only. */
export const getOwnerDb = owner.get;
/** Closes the owner database. */
export const closeOwnerDb = owner.close;
