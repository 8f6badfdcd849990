import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../connection/client";
import { rows } from "../connection/rows";

/**
 * The advisory lock key of this database's migration runs, computed by Postgres: one key per
 * database, so runs against other databases of the same server (test clones, other
 * projects) never wait on each other.
 */
export const MIGRATION_LOCK_KEY_SQL = sql`hashtextextended('repo-db migrations ' || current_database(), 0)`;

/** SET LOCAL of a timeout in whole ms, checked here: SET takes no parameters. */
function setLocalTimeout(tx: Transaction, name: "lock_timeout" | "statement_timeout", ms: number) {
  const value = Math.floor(ms);
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new RangeError(`migrate: ${name} must be 1 to 2147483647 ms (got ${ms})`);
  }
  return tx.execute(sql.raw(`set local ${name} = ${value}`));
}

/**
 * Takes the lock first thing in the run's transaction, after lock_timeout and
 * statement_timeout (SET LOCAL, which Citus propagates; set_config it does not). It is a
 * transaction-level lock: held for the whole run (one transaction) and released by COMMIT or
 * ROLLBACK, so a failed run can never leave it held on a pooled connection.
 */
export async function acquireMigrationLock(
  tx: Transaction,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
): Promise<void> {
  await setLocalTimeout(tx, "lock_timeout", options.lockTimeoutMs);
  await setLocalTimeout(tx, "statement_timeout", options.statementTimeoutMs);
  await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY_SQL})`);
}

/** Bounds each statement by what is left of the run's time. */
export async function limitStatementTime(tx: Transaction, remainingMs: number): Promise<void> {
  await setLocalTimeout(tx, "statement_timeout", Math.max(1, remainingMs));
}

export interface LockHolder {
  readonly role: string;
  readonly pid: number;
  readonly application: string;
}

/**
 * Who holds this database's migration lock now. Any role that can connect can take an
 * advisory lock (app_runtime included; nothing short of a superuser can revoke that), so a
 * refusal names the holder instead.
 */
export async function migrationLockHolders(db: Database): Promise<LockHolder[]> {
  return rows<LockHolder & Record<string, unknown>>(
    db,
    sql`select coalesce(a.usename::text, '?') as role, l.pid, coalesce(a.application_name, '') as application
        from pg_locks l
        left join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
          and l.database = (select oid from pg_database where datname = current_database())
          and ((l.classid::bigint << 32) | l.objid::bigint) = ${MIGRATION_LOCK_KEY_SQL}
        order by l.pid`,
  );
}
