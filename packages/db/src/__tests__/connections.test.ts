import { describe, expect, it } from "vitest";
import { appTarget, ownerTarget } from "../connection/connections";
import { parseEnv } from "../connection/env";
import { RUNTIME_TIMEOUTS } from "../tenancy/setup";

// Every branch of target selection: pool and prepared-statement settings reach every server
// target. (They once did not for APP_DATABASE_URL alone, and behind a transaction pooler
// DB_PREPARED_STATEMENTS=false was silently dropped.)
const POOL = {
  DB_POOL_MAX: "7",
  DB_IDLE_TIMEOUT_SECONDS: "11",
  DB_CONNECT_TIMEOUT_SECONDS: "3",
  DB_MAX_LIFETIME_SECONDS: "600",
  DB_ACQUIRE_TIMEOUT_MS: "1500",
  DB_TENANT_CONCURRENCY: "2",
  DB_PREPARED_STATEMENTS: "false",
};
const POOLED = {
  max: 7,
  idleTimeoutSeconds: 11,
  connectTimeoutSeconds: 3,
  maxLifetimeSeconds: 600,
  acquireTimeoutMs: 1500,
  tenantConcurrency: 2,
  prepare: false,
};
const OWNER = "postgres://owner:secret@db.internal:5432/app";
const APP = "postgres://app_runtime:secret@pooler.internal:6432/app";

describe("connection targets", () => {
  it("can give APP_DATABASE_URL alone every pool setting", () => {
    const config = parseEnv({ APP_DATABASE_URL: APP, ...POOL });
    expect(appTarget(config)).toEqual({ url: APP, ...POOLED });
  });

  it("can give APP_DATABASE_URL beside DATABASE_URL every pool setting, never the owner's login", () => {
    const config = parseEnv({ DATABASE_URL: OWNER, APP_DATABASE_URL: APP, ...POOL });
    expect(appTarget(config)).toEqual({ url: APP, ...POOLED });
    expect(ownerTarget(config)).toEqual({ url: OWNER, ...POOLED });
  });

  it("can fall back to the owner's URL as app_runtime, with the runtime role's bounds, for development", () => {
    const config = parseEnv({ DATABASE_URL: OWNER, ...POOL });
    expect(appTarget(config)).toEqual({
      url: OWNER,
      ...POOLED,
      role: "app_runtime",
      settings: {
        statement_timeout: String(RUNTIME_TIMEOUTS.statementTimeoutMs),
        lock_timeout: String(RUNTIME_TIMEOUTS.lockTimeoutMs),
        idle_in_transaction_session_timeout: String(RUNTIME_TIMEOUTS.idleInTransactionTimeoutMs),
      },
    });
  });

  it("can give the replica the primary's pool settings and login: APP_DATABASE_REPLICA_URL as is", () => {
    const REPLICA = "postgres://app_runtime@replica:5432/app";
    const config = parseEnv({ APP_DATABASE_URL: APP, APP_DATABASE_REPLICA_URL: REPLICA, ...POOL });
    expect(appTarget(config)).toEqual({
      url: APP,
      ...POOLED,
      replica: { url: REPLICA, ...POOLED },
    });
  });

  it("can run DATABASE_REPLICA_URL as app_runtime with the runtime role's bounds, like the primary", () => {
    const REPLICA = "postgres://owner@replica:5432/app";
    const config = parseEnv({ DATABASE_URL: OWNER, DATABASE_REPLICA_URL: REPLICA, ...POOL });
    const runtime = {
      role: "app_runtime",
      settings: {
        statement_timeout: String(RUNTIME_TIMEOUTS.statementTimeoutMs),
        lock_timeout: String(RUNTIME_TIMEOUTS.lockTimeoutMs),
        idle_in_transaction_session_timeout: String(RUNTIME_TIMEOUTS.idleInTransactionTimeoutMs),
      },
    };
    expect(appTarget(config)).toEqual({
      url: OWNER,
      ...POOLED,
      ...runtime,
      replica: { url: REPLICA, ...POOLED, ...runtime },
    });
    expect(ownerTarget(config)).toEqual({ url: OWNER, ...POOLED });
  });

  it("can fall back to the embedded database as app_runtime when nothing is set", () => {
    const config = parseEnv({ PGLITE_DATA_DIR: "/tmp/somewhere" });
    expect(appTarget(config)).toEqual({ dataDir: "/tmp/somewhere", role: "app_runtime" });
    expect(ownerTarget(config)).toEqual({ dataDir: "/tmp/somewhere" });
  });
});
