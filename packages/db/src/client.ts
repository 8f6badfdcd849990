import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "./env";
import * as schema from "./schema";

export type Schema = typeof schema;

/** A drizzle database with the full schema, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** The `tx` of `db.transaction(async (tx) => ...)`. */
export type Transaction = PgTransaction<
  PgQueryResultHKT,
  Schema,
  ExtractTablesWithRelations<Schema>
>;

export type DatabaseTarget =
  /** A Postgres server, through a postgres.js pool. */
  | {
      url: string;
      max?: number;
      idleTimeoutSeconds?: number;
      connectTimeoutSeconds?: number;
      prepare?: boolean;
    }
  /** Embedded Postgres (PGlite with pgvector) persisted in a directory. */
  | { dataDir: string }
  /** An embedded Postgres already opened (in-memory, or loaded from a snapshot). */
  | { pglite: PGlite };

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: "postgres" | "pglite";
  close(): Promise<void>;
}

/** Opens PGlite with the extensions our migrations need (drizzle-kit's own PGlite has none). */
export function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): PGlite {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  return new PGlite({ ...options, extensions: { vector } });
}

/**
 * Connects to a target. The one place that knows about drivers: everything above it sees a
 * `Database`. Callers own the handle and must close it.
 */
export function createDatabase(target: DatabaseTarget): DatabaseHandle {
  if ("url" in target) {
    const client = postgres(target.url, {
      max: target.max ?? 10,
      idle_timeout: target.idleTimeoutSeconds ?? 20,
      connect_timeout: target.connectTimeoutSeconds ?? 10,
      prepare: target.prepare ?? true,
      onnotice: () => {},
    });
    return {
      db: drizzlePostgres(client, { schema }),
      driver: "postgres",
      close: () => client.end({ timeout: 5 }),
    };
  }
  const pglite = "pglite" in target ? target.pglite : openPglite({ dataDir: target.dataDir });
  return {
    db: drizzlePglite(pglite, { schema }),
    driver: "pglite",
    close: () => pglite.close(),
  };
}

/** What `getDb()` connects to: DATABASE_URL when set, else the embedded database. */
export function targetFromEnv(): DatabaseTarget {
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

/** A printable name of a target, without credentials. */
export function describeTarget(target: DatabaseTarget): string {
  if ("dataDir" in target) return `embedded Postgres (PGlite) in ${target.dataDir}`;
  if ("pglite" in target) return "embedded Postgres (PGlite, in memory)";
  const url = new URL(target.url);
  return `Postgres at ${url.hostname}:${url.port || 5432}${url.pathname} as ${decodeURIComponent(url.username) || "(default user)"}`;
}

let shared: DatabaseHandle | undefined;

/** The process-wide database (a singleton pool, or the embedded database). */
export function getDb(): Database {
  shared ??= createDatabase(targetFromEnv());
  return shared.db;
}

/** Closes the process-wide database; the next getDb() opens it again. */
export async function closeDb(): Promise<void> {
  const handle = shared;
  shared = undefined;
  await handle?.close();
}
