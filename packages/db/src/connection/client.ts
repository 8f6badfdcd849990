import { createNeonDatabase, type NeonTarget } from "./drivers/neon";
import { createPgliteDatabase, type PgliteTarget } from "./drivers/pglite";
import { createPostgresDatabase, type PostgresTarget } from "./drivers/postgres";
import { transactionUnits } from "./drivers/transaction-units";
import type { Database } from "./drivers/types";
import type { UnitRunner } from "./drivers/unit";

export { openPglite } from "./drivers/pglite";
export type { Database, Schema, Transaction } from "./drivers/types";

/** A server reached by postgres.js (the default) or by Neon's serverless driver (WebSockets). */
export type ServerTarget = PostgresTarget | NeonTarget;

/**
 * A Postgres server, optionally with a streaming replica for read-only tenant units, or
 * embedded Postgres (PGlite with pgvector).
 */
export type DatabaseTarget = (ServerTarget & { replica?: ServerTarget }) | PgliteTarget;

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: "postgres" | "neon-serverless" | "pglite";
  close(): Promise<void>;
}

// How withTenantContext runs a unit on each database this module opened.
const unitRunners = new WeakMap<Database, UnitRunner>();
// Where a database's read-only tenant units run: its streaming replica.
const replicas = new WeakMap<Database, Database>();

/**
 * Read-only tenant units on `primary` run on `replica` from now on (a streaming replica of the
 * same database, opened with the same role). Writes, and units without readOnly, stay on
 * `primary`.
 */
export function attachReplica(primary: Database, replica: Database): void {
  replicas.set(primary, replica);
}

/** The database a read-only unit on `db` runs on: its replica, else `db` itself. */
export function readTargetOf(db: Database): Database {
  return replicas.get(db) ?? db;
}

/** The unit runner of `db`: its driver's, or drizzle's transaction() for any other database. */
export function unitRunnerOf(db: Database): UnitRunner {
  let runner = unitRunners.get(db);
  if (!runner) {
    runner = transactionUnits(db);
    unitRunners.set(db, runner);
  }
  return runner;
}

/**
 * Connects to a target. The one place that picks a driver (src/drivers/): everything above
 * it sees a `Database`. Callers own the handle and must close it.
 */
export function createDatabase(target: DatabaseTarget): DatabaseHandle {
  const driver =
    "url" in target ? ("driver" in target ? target.driver : "postgres") : ("pglite" as const);
  const opened =
    "driver" in target
      ? createNeonDatabase(target)
      : "url" in target
        ? createPostgresDatabase(target)
        : createPgliteDatabase(target);
  unitRunners.set(opened.db, opened.units);
  const replica = "url" in target && target.replica ? createDatabase(target.replica) : undefined;
  if (replica) attachReplica(opened.db, replica.db);
  return {
    db: opened.db,
    driver,
    close: async () => {
      await Promise.all([opened.close(), replica?.close()]);
    },
  };
}
