import { is, QueryPromise } from "drizzle-orm";
import type { Transaction } from "./types";

const FINAL = Symbol("commitWith");

/** A unit's last statement, to be sent together with COMMIT (see commitWith). */
export interface FinalStatement<T> {
  readonly [FINAL]: PromiseLike<T>;
}

/**
 * Marks the last statement of a tenant unit: `return commitWith(tx.select()...)` at the end
 * of an async unit sends the statement and COMMIT in one write, saving a round trip. An
 * async function cannot return the query itself for that: awaiting a returned query
 * executes it before the unit sees it. A unit that is one statement needs no marker:
 * `withTenantContext(ctx, (tx) => tx.select()...)` (no async) is detected.
 */
export function commitWith<T>(query: PromiseLike<T>): FinalStatement<T> {
  if (!isUnrunQuery(query)) {
    throw new TypeError(
      "commitWith takes a drizzle query that has not run yet (tx.select()..., tx.insert()..., tx.execute(sql`...`)); do not await it first.",
    );
  }
  return { [FINAL]: query };
}

/** The value a unit resolves to, whatever form its function returned. */
export type UnitValue<R> = Awaited<R> extends FinalStatement<infer T> ? T : Awaited<R>;

/**
 * The statement to run with COMMIT, when a unit's function (synchronously) returned one:
 * a drizzle query that has not run yet, or a commitWith() marker.
 */
export function finalStatementOf(value: unknown): PromiseLike<unknown> | undefined {
  if (value !== null && typeof value === "object" && FINAL in value) {
    return (value as FinalStatement<unknown>)[FINAL];
  }
  if (isUnrunQuery(value)) return value;
  return undefined;
}

/**
 * A drizzle query that runs when awaited: QueryPromise subclasses (insert, update, delete,
 * execute, relational queries) and selects, which mix QueryPromise in rather than extend it.
 */
function isUnrunQuery(value: unknown): value is PromiseLike<unknown> {
  // Structural first: drizzle's is() walks the prototype chain, on the hot path of every unit.
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const query = value as { then?: unknown; toSQL?: unknown; getSQL?: unknown };
  if (typeof query.then !== "function") return false;
  return (
    typeof query.toSQL === "function" ||
    typeof query.getSQL === "function" ||
    is(value, QueryPromise)
  );
}

export type UnitFunction = (tx: Transaction) => unknown;

/** Whether a setup statement is a SET (it answers no rows; Citus replays it on workers). */
export const isSetStatement = (statement: string) => /^\s*set\s/i.test(statement);

/** Rows of the setup's queries (its statements other than SET), in order. */
export type SetupRows = readonly (readonly Record<string, unknown>[])[];

export interface UnitOptions {
  readOnly: boolean;
  /** Whose share of the pool the unit counts against. */
  tenant: string;
  /** Called with the setup's rows as soon as they arrive, also when the unit then fails. */
  onSetup?: (rows: SetupRows) => void;
}

/** How a driver runs one transaction for withTenantContext. */
export interface UnitRunner {
  /**
   * BEGIN, the setup statements, `fn`, COMMIT. Resolves to fn's value (a final statement's
   * rows when it returned one). Rejects with fn's error, a statement's error (also one fn
   * caught), or DatabaseUnavailableError("rolled_back") when COMMIT did not commit; in
   * each case nothing of the unit is stored.
   */
  run(setup: readonly string[], fn: UnitFunction, options: UnitOptions): Promise<unknown>;
}
