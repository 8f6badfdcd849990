import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../connection/client";
import { rows } from "../connection/rows";
import type { JournalMigration } from "./journal";

/** A row of drizzle.__drizzle_migrations. */
export interface AppliedMigration {
  readonly hash: string;
  /** The journal `when` of the migration it records (drizzle's naming, not a time applied). */
  readonly createdAt: number;
}

/** An applied migration whose file changed afterwards. */
export interface EditedMigration {
  readonly migration: JournalMigration;
  readonly appliedHash: string;
}

/** How the database compares with the journal. */
export interface MigrationState {
  /** Rows in drizzle.__drizzle_migrations. */
  readonly applied: number;
  /** Entries in the journal. */
  readonly expected: number;
  /** Journal entries the database has no row for, in journal order. */
  readonly pending: readonly JournalMigration[];
  /**
   * Pending entries older than the newest applied one (an out-of-order merge): drizzle's
   * migrator decides by timestamp alone and would skip them silently.
   */
  readonly skipped: readonly JournalMigration[];
  /** Applied rows that match no journal entry: the database is ahead of this code. */
  readonly unknown: readonly AppliedMigration[];
  /** Applied migrations whose file's hash no longer matches the recorded one. */
  readonly edited: readonly EditedMigration[];
}

export type MigrationStatus = "applied" | "pending" | "problem";

/** One line of `pnpm db:migrate --status`. */
export interface MigrationStatusLine {
  readonly name: string;
  readonly status: MigrationStatus;
  readonly detail: string;
}

/** Reads the applied rows; an absent table means nothing is applied (and creates nothing). */
export async function readAppliedMigrations(
  db: Database | Transaction,
): Promise<AppliedMigration[]> {
  const [table] = await rows<{ exists: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as "exists"`,
  );
  if (!table?.exists) return [];
  const applied = await rows<{ hash: string; created_at: string | number }>(
    db,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at, id`,
  );
  return applied.map((row) => ({ hash: row.hash, createdAt: Number(row.created_at) }));
}

export function compareMigrations(
  journal: readonly JournalMigration[],
  applied: readonly AppliedMigration[],
): MigrationState {
  const appliedByWhen = new Map(applied.map((row) => [row.createdAt, row]));
  const journalWhens = new Set(journal.map((entry) => entry.when));
  const newestApplied = Math.max(-Infinity, ...appliedByWhen.keys());
  const pending = journal.filter((entry) => !appliedByWhen.has(entry.when));
  const edited: EditedMigration[] = [];
  for (const migration of journal) {
    const row = appliedByWhen.get(migration.when);
    if (row && row.hash !== migration.hash) edited.push({ migration, appliedHash: row.hash });
  }
  return {
    applied: applied.length,
    expected: journal.length,
    pending,
    skipped: pending.filter((entry) => entry.when <= newestApplied),
    unknown: applied.filter((row) => !journalWhens.has(row.createdAt)),
    edited,
  };
}

export function formatMigrationState(state: MigrationState): string {
  return `Migration state: ${state.applied} applied, ${state.expected} expected, ${state.pending.length} pending`;
}

/** Every migration (and every unknown applied row) as applied, pending or problem. */
export function statusLines(
  journal: readonly JournalMigration[],
  state: MigrationState,
): MigrationStatusLine[] {
  const pending = new Set(state.pending);
  const skipped = new Set(state.skipped);
  const edited = new Map(state.edited.map((entry) => [entry.migration, entry]));
  const lines: MigrationStatusLine[] = journal.map((migration) => {
    if (edited.has(migration)) {
      return {
        name: migration.file,
        status: "problem",
        detail: "edited after it was applied (hash differs)",
      };
    }
    if (skipped.has(migration)) {
      return {
        name: migration.file,
        status: "problem",
        detail: "not applied, but newer migrations are (out of order)",
      };
    }
    if (pending.has(migration)) return { name: migration.file, status: "pending", detail: "" };
    return { name: migration.file, status: "applied", detail: "" };
  });
  for (const row of state.unknown) {
    lines.push({
      name: `(created_at ${row.createdAt})`,
      status: "problem",
      detail: "applied, but not in the journal (database ahead of the code)",
    });
  }
  return lines;
}
