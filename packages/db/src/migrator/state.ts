import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { rows } from "../rows";
import type { JournalMigration } from "./journal";

/** A row of drizzle.__drizzle_migrations. */
export interface AppliedMigration {
  readonly hash: string;
  /** The journal `when` of the migration it records (drizzle's naming, not a time applied). */
  readonly createdAt: number;
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
   * Pending entries older than the newest applied one: drizzle's migrator decides by
   * timestamp alone and would skip them silently.
   */
  readonly skipped: readonly JournalMigration[];
  /** Applied rows that match no journal entry: the database is ahead of this code. */
  readonly unknown: readonly AppliedMigration[];
}

export async function readAppliedMigrations(db: Database): Promise<AppliedMigration[]> {
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
  const appliedWhens = new Set(applied.map((row) => row.createdAt));
  const journalWhens = new Set(journal.map((entry) => entry.when));
  const newestApplied = Math.max(-Infinity, ...appliedWhens);
  const pending = journal.filter((entry) => !appliedWhens.has(entry.when));
  return {
    applied: applied.length,
    expected: journal.length,
    pending,
    skipped: pending.filter((entry) => entry.when <= newestApplied),
    unknown: applied.filter((row) => !journalWhens.has(row.createdAt)),
  };
}

export function formatMigrationState(state: MigrationState): string {
  return `Migration state: ${state.applied} applied, ${state.expected} expected, ${state.pending.length} pending`;
}
