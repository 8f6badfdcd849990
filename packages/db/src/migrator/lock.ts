import { sql } from "drizzle-orm";
import type { Transaction } from "../client";

/**
 * The advisory lock every migration run of this project takes: one int8 key per project, so
 * runners of other projects sharing a server never wait on ours. Derived once from the
 * project name ('repo-db migrations') and fixed here; never change it while old runners exist.
 */
export const MIGRATION_LOCK_KEY = 7_263_840_113_526_001n;

/**
 * Takes the lock as the first statement of the run's transaction, with lock_timeout and
 * statement_timeout in the same round trip (set_config runs before the lock call). It is a
 * transaction-level lock, as kysely's Postgres adapter takes: held for the whole run (one
 * transaction) and released by COMMIT or ROLLBACK, so a failed run can never leave it held
 * on a pooled connection.
 */
export async function acquireMigrationLock(
  tx: Transaction,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
): Promise<void> {
  await tx.execute(
    sql`select set_config('lock_timeout', ${`${options.lockTimeoutMs}ms`}, true),
               set_config('statement_timeout', ${`${options.statementTimeoutMs}ms`}, true),
               pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`,
  );
}

/** Bounds each statement by what is left of the run's time. */
export async function limitStatementTime(tx: Transaction, remainingMs: number): Promise<void> {
  await tx.execute(
    sql`select set_config('statement_timeout', ${`${Math.max(1, Math.floor(remainingMs))}ms`}, true)`,
  );
}
