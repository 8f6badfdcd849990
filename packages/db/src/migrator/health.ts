import { sql } from "drizzle-orm";
import type { Database } from "../connection/client";
import { migrationsFolder } from "../connection/paths";
import { rows } from "../connection/rows";
import { readJournal } from "./journal";

// Migration health as an app sees it: through public.migration_state() (migration 0005), a
// SECURITY DEFINER function the runtime role may call, compared with the journal the code
// ships. For health checks, without the owner connection.

/** What the code expects: the journal's entry count and newest `when`. */
interface ExpectedMigrations {
  readonly count: number;
  readonly newest: number | null;
}

let expected: ExpectedMigrations | undefined;

/** The migrations this code ships (meta/_journal.json), read once per process. */
function expectedMigrations(): ExpectedMigrations {
  if (!expected) {
    const journal = readJournal(migrationsFolder);
    expected = {
      count: journal.length,
      newest: journal.length ? Math.max(...journal.map((entry) => entry.when)) : null,
    };
  }
  return expected;
}

export interface MigrationHealth {
  readonly applied: number;
  readonly expected: number;
  /** Journal `when` of the newest applied migration (drizzle's created_at). */
  readonly newestApplied: number | null;
  readonly newestExpected: number | null;
  /** Same count and same newest migration as the journal. */
  readonly upToDate: boolean;
}

/**
 * The database's migration state as the runtime role can see it (public.migration_state()),
 * compared with the journal: for health checks, without the owner connection.
 */
export async function migrationState(db: Database): Promise<MigrationHealth> {
  const [row] = await rows<{ applied: number | string; newest_created_at: number | string | null }>(
    db,
    sql`select applied, newest_created_at from public.migration_state()`,
  );
  const journal = expectedMigrations();
  const applied = Number(row?.applied ?? 0);
  const newestApplied =
    row?.newest_created_at === null || row?.newest_created_at === undefined
      ? null
      : Number(row.newest_created_at);
  return {
    applied,
    expected: journal.count,
    newestApplied,
    newestExpected: journal.newest,
    upToDate: applied === journal.count && newestApplied === journal.newest,
  };
}
