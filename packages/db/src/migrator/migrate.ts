import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as drizzleMigrate } from "drizzle-orm/postgres-js/migrator";
import type { Database, Schema } from "../client";
import { rootCause } from "../errors";
import { migrationsFolder as defaultMigrationsFolder } from "../paths";
import { readJournal } from "./journal";
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
}

export interface MigrateResult {
  readonly before: MigrationState;
  readonly after: MigrationState;
  /** Tags of the migrations this run applied, in order. */
  readonly ran: readonly string[];
}

export type MigrationErrorCode =
  | "database_ahead"
  | "skipped_migration"
  | "migration_failed"
  | "count_mismatch";

/** A refusal or failed verification; the message says what is wrong and how to fix it. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly state: MigrationState,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Applies pending migrations with drizzle's migrator, refusing first what it would get wrong
 * silently and verifying the count afterwards (seed 001, step 4). Library first: the CLI in
 * src/bin/migrate.ts only prints the result.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const folder = options.migrationsFolder ?? defaultMigrationsFolder;
  const log = options.log ?? (() => {});
  const journal = readJournal(folder);

  const before = compareMigrations(journal, await readAppliedMigrations(options.db));
  log(formatMigrationState(before));
  refuseUnsafeState(before);

  if (before.pending.length > 0) {
    log(`Applying ${before.pending.map((m) => m.tag).join(", ")}`);
    // drizzle's per-driver migrators are one function (dialect.migrate over db.session), so
    // the postgres-js one serves PGlite too; only its parameter type names a driver.
    try {
      await drizzleMigrate(options.db as unknown as PostgresJsDatabase<Schema>, {
        migrationsFolder: folder,
      });
    } catch (error) {
      throw new MigrationError(
        "migration_failed",
        `Applying ${before.pending.map((m) => m.tag).join(", ")} failed: ${rootCause(error).message}. ` +
          "Pending migrations run in one transaction, so none of them was applied. Fix the SQL (or the database) and run `pnpm db:migrate` again.",
        before,
        { cause: error },
      );
    }
  }

  const after = compareMigrations(journal, await readAppliedMigrations(options.db));
  if (after.pending.length > 0 || after.applied !== after.expected) {
    log(formatMigrationState(after));
    throw new MigrationError(
      "count_mismatch",
      `After migrating, drizzle.__drizzle_migrations has ${after.applied} rows but the journal has ${after.expected} entries` +
        (after.pending.length
          ? ` (not applied: ${after.pending.map((m) => m.tag).join(", ")})`
          : "") +
        ". Compare the table with src/migrations/meta/_journal.json before running anything else.",
      after,
    );
  }
  if (before.pending.length > 0) log(formatMigrationState(after));
  return { before, after, ran: before.pending.map((m) => m.tag) };
}

function refuseUnsafeState(state: MigrationState): void {
  if (state.unknown.length > 0) {
    throw new MigrationError(
      "database_ahead",
      `The database has ${state.unknown.length} applied migration(s) that src/migrations/meta/_journal.json does not list ` +
        `(created_at ${state.unknown.map((row) => row.createdAt).join(", ")}): it is ahead of this code. ` +
        "Check out the branch that applied them (git pull), or restore the database; never delete rows to make this pass.",
      state,
    );
  }
  const [first] = state.skipped;
  if (first) {
    throw new MigrationError(
      "skipped_migration",
      `Migration ${first.tag} is not recorded in drizzle.__drizzle_migrations, but newer migrations are; drizzle's migrator would skip it silently` +
        ` (${state.skipped.length} such migration(s): ${state.skipped.map((m) => m.tag).join(", ")}). ` +
        `If it came from a merge, regenerate it after the newest migration (move your schema change into a new \`pnpm db:generate\`). ` +
        `If its changes are already in the database and only the row was lost, restore the row: ` +
        `insert into drizzle.__drizzle_migrations (hash, created_at) values ('${first.hash}', ${first.when});`,
      state,
    );
  }
}
