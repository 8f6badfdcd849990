import { sql } from "drizzle-orm";
import { rows } from "../rows";
import type { Database } from "./types";
import { finalStatementOf, isSetStatement, type UnitRunner } from "./unit";

/**
 * Tenant units on drizzle's own db.transaction(), for drivers whose wire we do not control
 * (PGlite runs in-process: there are no round trips to save). A statement error that the
 * unit's function caught leaves the transaction aborted, and COMMIT would then quietly roll
 * back; the probe before COMMIT turns that into the unit's error.
 */
export function transactionUnits(db: Database): UnitRunner {
  return {
    run: (setup, fn, { readOnly, onSetup }) =>
      db.transaction(async (tx) => {
        if (readOnly) await tx.execute(sql.raw("set transaction read only"));
        const results: Record<string, unknown>[][] = [];
        for (const statement of setup) {
          const answered = await rows(tx, sql.raw(statement));
          if (!isSetStatement(statement)) results.push(answered);
        }
        onSetup?.(results);
        let value: unknown = await fn(tx);
        const last = finalStatementOf(value);
        if (last) value = await last;
        try {
          await tx.execute(sql.raw("select 1"));
        } catch (error) {
          throw new Error(
            "A statement of this tenant unit failed and its error was caught inside the unit: the transaction was rolled back. Let the error propagate (or use a nested tx.transaction() to recover from it).",
            { cause: error },
          );
        }
        return value;
      }),
  };
}
