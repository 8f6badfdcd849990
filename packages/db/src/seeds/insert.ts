import { getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database } from "../connection/client";

export type SeedLog = (line: string) => void;

const BATCH = 500;

/**
 * Inserts rows in batches, skipping ids that exist (a rerun adds nothing), and logs the table's
 * count with its rate. Returns how many rows were new.
 */
export async function insertRows(
  db: Database,
  table: PgTable,
  rows: readonly Record<string, unknown>[],
  log: SeedLog,
): Promise<number> {
  const started = performance.now();
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const result = await db
      .insert(table)
      .values(batch as never)
      .onConflictDoNothing()
      .returning();
    inserted += result.length;
  }
  const seconds = (performance.now() - started) / 1000;
  log(
    `  ${getTableName(table).padEnd(22)} ${String(rows.length).padStart(6)} rows, ${String(inserted).padStart(6)} new  (${Math.round(rows.length / Math.max(seconds, 0.001))} rows/s)`,
  );
  return inserted;
}
