import { sql } from "drizzle-orm";
import pRetry from "p-retry";
import type { Database, Transaction } from "../connection/client";
import {
  classifyDatabaseError,
  DatabaseUnavailableError,
  errorCode,
  rootCause,
} from "../connection/errors";
import { migrationsFolder as defaultMigrationsFolder } from "../connection/paths";
import { type DistributionResult, distributeIn } from "./distribute";
import { type JournalMigration, readJournal } from "./journal";
import {
  acquireMigrationLock,
  type LockHolder,
  limitStatementTime,
  migrationLockHolders,
} from "./lock";
import {
  compareMigrations,
  formatMigrationState,
  type MigrationState,
  readAppliedMigrations,
} from "./state";

export interface MigrateOptions {
  db: Database;
  /** Defaults to packages/db/src/migrations. */
  migrationsFolder?: string;
  /** Progress lines (the CLI prints them); silent by default. */
  log?: (line: string) => void;
  /** Verify and report what would run, apply nothing. */
  dryRun?: boolean;
  /** Longest wait for another runner's lock (default 60 s). */
  lockTimeoutMs?: number;
  /** Bound on the whole run, retries included (default 5 minutes). */
  timeoutMs?: number;
  /** Attempts after a transient connection error (default 4, backoff 250 ms doubling). */
  retries?: number;
}

export interface MigrateResult {
  readonly before: MigrationState;
  readonly after: MigrationState;
  /** Tags of the migrations this run applied (or, with dryRun, would apply), in order. */
  readonly ran: readonly string[];
  readonly dryRun: boolean;
  /** The Citus distribution step's result (`citus: false` off Citus); null on a dry run. */
  readonly distribution: DistributionResult | null;
}

export type MigrationErrorCode =
  | "database_ahead"
  | "skipped_migration"
  | "edited_migration"
  | "migration_failed"
  | "lock_timeout"
  | "timeout"
  | "count_mismatch";

/** A refusal or failed verification; the message names the file and says how to fix it. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly state: MigrationState | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Connection trouble worth retrying; never a refusal, a SQL error or a timeout. */
function isTransient(error: unknown): boolean {
  if (error instanceof MigrationError) return false;
  const classified = classifyDatabaseError(error);
  return (
    classified instanceof DatabaseUnavailableError &&
    (classified.reason === "connection" || classified.reason === "overloaded")
  );
}

/**
 * Applies pending migrations in one transaction under the project's advisory lock. Before any
 * SQL runs it refuses: an applied migration whose file changed, a database ahead of the
 * journal, a journal entry older than the newest applied one that was never applied. After,
 * it verifies the count. Library first: src/bin/migrate.ts only prints the result.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const folder = options.migrationsFolder ?? defaultMigrationsFolder;
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const journal = readJournal(folder);

  if (options.dryRun) {
    // Read-only: no lock, no drizzle schema created.
    const state = compareMigrations(journal, await readAppliedMigrations(options.db));
    log(formatMigrationState(state));
    refuseUnsafeState(state);
    for (const migration of state.pending)
      log(`Would apply ${migration.file} (${migration.statements.length} statements)`);
    return {
      before: state,
      after: state,
      ran: state.pending.map((m) => m.tag),
      dryRun: true,
      distribution: null,
    };
  }

  const run = () =>
    options.db.transaction(async (tx) => {
      await acquireMigrationLock(tx, {
        lockTimeoutMs: Math.min(
          options.lockTimeoutMs ?? 60_000,
          Math.max(1, deadline - Date.now()),
        ),
        statementTimeoutMs: Math.max(1, deadline - Date.now()),
      });
      // Under the lock: a runner that waited sees what the previous one applied.
      await tx.execute(sql`create schema if not exists drizzle`);
      await tx.execute(
        sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
      );
      const before = compareMigrations(journal, await readAppliedMigrations(tx));
      log(formatMigrationState(before));
      refuseUnsafeState(before);
      for (const migration of before.pending) await apply(tx, migration, deadline, log);
      // Same transaction: a new tenant table commits distributed or not at all.
      const distribution = await distributeIn(tx, log);
      return { before, distribution };
    });

  let before: MigrationState;
  let distribution: DistributionResult;
  try {
    ({ before, distribution } = await pRetry(run, {
      retries: options.retries ?? 4,
      minTimeout: 250,
      factor: 2,
      maxRetryTime: timeoutMs,
      shouldRetry: ({ error }) => isTransient(error) && Date.now() < deadline,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && isTransient(error)) {
          log(
            `Connection problem (${rootCause(error).message}); retry ${attemptNumber} of ${options.retries ?? 4}`,
          );
        }
      },
    }));
  } catch (error) {
    const holders =
      errorCode(error) === "55P03" ? await migrationLockHolders(options.db).catch(() => []) : [];
    throw describeFailure(error, timeoutMs, holders);
  }

  const after = compareMigrations(journal, await readAppliedMigrations(options.db));
  if (after.pending.length > 0 || after.applied !== after.expected) {
    log(formatMigrationState(after));
    throw new MigrationError(
      "count_mismatch",
      `After migrating, drizzle.__drizzle_migrations has ${after.applied} rows but the journal has ${after.expected} entries` +
        (after.pending.length
          ? ` (not applied: ${after.pending.map((m) => m.file).join(", ")})`
          : "") +
        ". Compare the table with src/migrations/meta/_journal.json before running anything else.",
      after,
    );
  }
  if (before.pending.length > 0) log(formatMigrationState(after));
  return { before, after, ran: before.pending.map((m) => m.tag), dryRun: false, distribution };
}

async function apply(
  tx: Transaction,
  migration: JournalMigration,
  deadline: number,
  log: (line: string) => void,
): Promise<void> {
  log(`Applying ${migration.file}`);
  await limitStatementTime(tx, deadline - Date.now());
  for (const [index, statement] of migration.statements.entries()) {
    try {
      await tx.execute(sql.raw(statement));
    } catch (error) {
      // Time limits are the run's, not this file's fault: describeFailure names them.
      if (["57014", "55P03"].includes(String((rootCause(error) as { code?: unknown }).code)))
        throw error;
      throw new MigrationError(
        "migration_failed",
        `${migration.file} failed at statement ${index + 1} of ${migration.statements.length}: ${rootCause(error).message}. ` +
          "All pending migrations run in one transaction, so nothing of this run was applied. Fix the SQL (or the database) and run `pnpm db:migrate` again.",
        undefined,
        { cause: error },
      );
    }
  }
  await tx.execute(
    sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.when})`,
  );
}

function describeFailure(error: unknown, timeoutMs: number, holders: LockHolder[]): unknown {
  if (error instanceof MigrationError) return error;
  const cause = rootCause(error) as Error & { code?: string };
  if (cause instanceof MigrationError) return cause;
  if (cause.code === "55P03") {
    return new MigrationError(
      "lock_timeout",
      holders.length
        ? `The migration lock is held by ${holders.map((h) => `role ${h.role} (pid ${h.pid}${h.application ? `, ${h.application}` : ""})`).join(", ")} and was not released in time. If that is not another migration run, end the session: select pg_terminate_backend(${holders[0]?.pid}).`
        : "Another migration run held the migration lock and did not finish in time (it has released it since). Run again.",
      undefined,
      { cause: error },
    );
  }
  if (cause.code === "57014") {
    return new MigrationError(
      "timeout",
      `The migration run exceeded its ${Math.round(timeoutMs / 1000)} s limit and was rolled back: nothing was applied. Raise DB_MIGRATION_TIMEOUT_SECONDS for a long migration, or split it.`,
      undefined,
      { cause: error },
    );
  }
  return error;
}

function refuseUnsafeState(state: MigrationState): void {
  const [edited] = state.edited;
  if (edited) {
    throw new MigrationError(
      "edited_migration",
      `${edited.migration.file} was edited after it was applied (recorded hash ${edited.appliedHash.slice(0, 12)}, file ${edited.migration.hash.slice(0, 12)}). ` +
        `Restore it from git (git checkout <ref> -- packages/db/src/migrations/${edited.migration.file}) and put the change in a new migration (\`pnpm db:generate\`).` +
        (state.edited.length > 1
          ? ` Also edited: ${state.edited
              .slice(1)
              .map((e) => e.migration.file)
              .join(", ")}.`
          : ""),
      state,
    );
  }
  if (state.unknown.length > 0) {
    throw new MigrationError(
      "database_ahead",
      `The database has ${state.unknown.length} applied migration(s) that src/migrations/meta/_journal.json does not list ` +
        `(created_at ${state.unknown.map((row) => row.createdAt).join(", ")}): it is ahead of this code. ` +
        "Check out the code that applied them (git pull), or restore the database; never delete rows to make this pass.",
      state,
    );
  }
  const [first] = state.skipped;
  if (first) {
    throw new MigrationError(
      "skipped_migration",
      `Migration ${first.file} is not recorded in drizzle.__drizzle_migrations, but newer migrations are; drizzle's migrator would skip it silently` +
        ` (${state.skipped.length} such migration(s): ${state.skipped.map((m) => m.file).join(", ")}). ` +
        "If it came from a merge: remove it (`pnpm exec drizzle-kit drop`, or delete the file, its snapshot and its journal entry), run `pnpm db:generate` to write the change again after the newest migration, then `pnpm db:migrate`. " +
        `If its changes are already in the database and only the row was lost, restore the row: ` +
        `insert into drizzle.__drizzle_migrations (hash, created_at) values ('${first.hash}', ${first.when});`,
      state,
    );
  }
}
