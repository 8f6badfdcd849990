import type { SQL } from "drizzle-orm";
import type { Database, Transaction } from "./drivers/types";

/**
 * Runs raw SQL and returns its rows. postgres.js answers `execute` with an array and PGlite
 * with `{ rows }`; this is the one place that knows.
 */
export async function rows<T extends Record<string, unknown>>(
  db: Database | Transaction,
  query: SQL,
): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

/** The rows of an `execute` result, whichever driver answered it. */
export function rowsOf<T extends Record<string, unknown>>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
