import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import type { PGlite, Transaction as PgliteTransaction } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
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

interface RoleOption {
  /**
   * Run every statement as this role (the session stays the login user's). For a server, a
   * startup parameter, so RESET ROLE and DISCARD ALL come back to it; for PGlite, which has a
   * single session, SET LOCAL ROLE around each statement and transaction.
   */
  role?: string;
}

export type DatabaseTarget = RoleOption &
  (
    | /** A Postgres server, through a postgres.js pool. */ {
        url: string;
        max?: number;
        idleTimeoutSeconds?: number;
        connectTimeoutSeconds?: number;
        prepare?: boolean;
      }
    | /** Embedded Postgres (PGlite with pgvector) persisted in a directory. */ { dataDir: string }
    | /** An embedded Postgres opened by the caller, who also closes it. */ { pglite: PGlite }
  );

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: "postgres" | "pglite";
  close(): Promise<void>;
}

// PGlite (WASM) and drizzle's PGlite driver (which imports it) are loaded on first use, so
// processes that talk to a server (CLIs, apps) do not pay ~500 ms of start-up for them; their
// CommonJS builds keep openPglite and createDatabase synchronous (and share one PGlite class).
const load = createRequire(import.meta.url);

/** Opens PGlite with the extensions our migrations need (drizzle-kit's own PGlite has none). */
export function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): PGlite {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const { PGlite } = load("@electric-sql/pglite") as typeof import("@electric-sql/pglite");
  const { vector } = load(
    "@electric-sql/pglite-pgvector",
  ) as typeof import("@electric-sql/pglite-pgvector");
  return new PGlite({ ...options, extensions: { vector } });
}

// One PGlite per data dir per process (two would corrupt it), shared by the owner and the app
// handles and closed with the last of them.
const embedded = new Map<string, { pglite: PGlite; users: number }>();

function acquireEmbedded(dataDir: string): { pglite: PGlite; release(): Promise<void> } {
  let entry = embedded.get(dataDir);
  if (!entry) {
    entry = { pglite: openPglite({ dataDir }), users: 0 };
    embedded.set(dataDir, entry);
  }
  entry.users++;
  const current = entry;
  let released = false;
  return {
    pglite: current.pglite,
    release: async () => {
      if (released) return;
      released = true;
      if (--current.users === 0) {
        embedded.delete(dataDir);
        await current.pglite.close();
      }
    },
  };
}

/** The subset of PGlite that drizzle's PGlite session calls. */
type PgliteClient = Pick<PGlite, "query" | "transaction">;

/** PGlite seen through a role: each statement and transaction runs under SET LOCAL ROLE. */
function pgliteAsRole(pglite: PGlite, role: string): PgliteClient {
  const assume = (tx: PgliteTransaction) =>
    tx.query(`set local role "${role.replaceAll('"', '""')}"`);
  return {
    query: ((query: string, params?: unknown[], options?: object) =>
      pglite.transaction(async (tx) => {
        await assume(tx);
        return tx.query(query, params, options);
      })) as PGlite["query"],
    transaction: ((callback: (tx: PgliteTransaction) => Promise<unknown>) =>
      pglite.transaction(async (tx) => {
        await assume(tx);
        return callback(tx);
      })) as PGlite["transaction"],
  };
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
      ...(target.role ? { connection: { role: target.role } } : {}),
    });
    return {
      db: drizzlePostgres(client, { schema }),
      driver: "postgres",
      close: () => client.end({ timeout: 5 }),
    };
  }
  const shared =
    "pglite" in target
      ? { pglite: target.pglite, release: async () => {} }
      : acquireEmbedded(target.dataDir);
  const client = target.role ? pgliteAsRole(shared.pglite, target.role) : shared.pglite;
  return {
    db: (load("drizzle-orm/pglite") as typeof import("drizzle-orm/pglite")).drizzle({
      client: client as PGlite,
      schema,
    }),
    driver: "pglite",
    close: shared.release,
  };
}
