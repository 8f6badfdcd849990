import { AsyncLocalStorage } from "node:async_hooks";
import { type Database, readTargetOf, type Transaction, unitRunnerOf } from "../connection/client";
import { getDb } from "../connection/connections";
import {
  finalStatementOf,
  type UnitFunction,
  type UnitOptions,
  type UnitValue,
} from "../connection/drivers/unit";
import { classifyDatabaseError, errorCode, ReadOnlyUnitError } from "../connection/errors";
import { type TenantUnitTimeouts, tenantSetup } from "./setup";

/** Who a unit of tenant work runs for. */
export interface TenantContext {
  /** The organization whose rows are visible; RLS compares it with organization_id. */
  organizationId: string;
  /** The acting user, for auditing and user-level policies (app.current_user_id). */
  userId?: string | null;
}

export type TenantContextErrorCode =
  | "invalid_organization"
  | "invalid_user"
  | "conflicting_context";

/** A context that cannot be used: thrown before any I/O. */
export class TenantContextError extends Error {
  override readonly name = "TenantContextError";
  constructor(
    readonly code: TenantContextErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function validId(value: unknown): value is string {
  // Values are bound parameters (never interpolated); NUL is the one character Postgres text
  // cannot hold. Nothing is trimmed: " org_b" is not "org_b".
  return typeof value === "string" && value.trim() !== "" && !value.includes("\0");
}

function validate(context: TenantContext | null | undefined): {
  organizationId: string;
  userId: string;
} {
  if (!validId(context?.organizationId)) {
    throw new TenantContextError(
      "invalid_organization",
      `withTenantContext needs an organizationId: a non-blank string without NUL characters (got ${describe(context?.organizationId)}). Pass the organization of the authenticated request.`,
    );
  }
  const userId = context.userId ?? "";
  if (userId !== "" && !validId(userId)) {
    throw new TenantContextError(
      "invalid_user",
      `withTenantContext's userId must be a non-blank string without NUL characters, or omitted (got ${describe(context.userId)}).`,
    );
  }
  return { organizationId: context.organizationId, userId };
}

const describe = (value: unknown) =>
  typeof value === "string"
    ? `a ${value.trim() === "" ? "blank" : "malformed"} string`
    : String(value);

interface ActiveContext {
  /** Null inside a token unit, whose organization is only known when its setup answers. */
  organizationId: string | null;
  userId: string;
  tx: Transaction;
}

const active = new AsyncLocalStorage<ActiveContext>();

/** Per-unit settings; the timeouts default to the runtime role's (RUNTIME_TIMEOUTS). */
export interface TenantUnitOptions extends TenantUnitTimeouts {
  /**
   * BEGIN READ ONLY: the unit may not write (a write fails with ReadOnlyUnitError). It runs on
   * the database's streaming replica when one is configured (DATABASE_REPLICA_URL /
   * APP_DATABASE_REPLICA_URL), else on the primary. A replica lags: a read that must see this
   * request's own writes runs without readOnly (on the primary).
   */
  readOnly?: boolean;
}

/**
 * Runs `fn` as one tenant unit: one transaction as role `authenticated` with the tenant
 * settings, all transaction-local, so nothing survives it on a pooled connection. Commits when `fn`
 * resolves, rolls back when it throws (or when a statement failed inside, even if `fn` caught
 * the error). Without `db`, the app database (getDb()).
 *
 * On a server the transaction is pipelined: BEGIN and the setup travel with the first
 * statement, and a unit whose function returns a query without running it, either
 * `(tx) => tx.select()...` (no async) or `return commitWith(query)` at the end of an async
 * function, sends that statement together with COMMIT: a one-statement unit is one round trip.
 *
 * Inside `fn`, a nested call for the same context reuses the transaction; for another one it
 * throws. Infrastructure failures reject with DatabaseUnavailableError (503) or
 * DatabaseTimeoutError (504); SQL errors (constraints, ...) reject unchanged.
 */
export function withTenantContext<R>(
  context: TenantContext,
  fn: (tx: Transaction) => R,
  options?: TenantUnitOptions,
): Promise<UnitValue<R>>;
export function withTenantContext<R>(
  db: Database,
  context: TenantContext,
  fn: (tx: Transaction) => R,
  options?: TenantUnitOptions,
): Promise<UnitValue<R>>;
export async function withTenantContext(...args: unknown[]): Promise<unknown> {
  const [explicitDb, context, fn, options = {}] = (
    typeof args[1] === "function" ? [undefined, ...args] : args
  ) as [Database | undefined, TenantContext, UnitFunction, TenantUnitOptions | undefined];
  const { organizationId, userId } = validate(context);
  // Before any I/O as well: a bad timeout is a programming error, not a database one.
  const setup = tenantSetup(organizationId, userId, options);

  const current = active.getStore();
  if (current) {
    if (current.organizationId === null) {
      throw new TenantContextError(
        "conflicting_context",
        "withTenantContext was called inside a unit authenticated by token: use the transaction the unit gave you.",
      );
    }
    if (current.organizationId !== organizationId || (userId !== "" && current.userId !== userId)) {
      throw new TenantContextError(
        "conflicting_context",
        "withTenantContext was called inside another tenant context for a different organization or user. Finish the outer one first; one transaction serves one tenant.",
      );
    }
    const value = await fn(current.tx);
    const last = finalStatementOf(value);
    return last ? await last : value;
  }

  const readOnly = options.readOnly ?? false;
  const primary = explicitDb ?? getDb();
  return runUnit(readOnly ? readTargetOf(primary) : primary, setup, fn, {
    organizationId,
    userId,
    readOnly,
    tenant: organizationId,
  });
}

/**
 * One unit on `db`'s runner, with `fn` inside the active context: the one path every tenant
 * unit takes (withTenantContext, token units). Infrastructure errors come out typed.
 */
export async function runUnit(
  db: Database,
  setup: readonly string[],
  fn: UnitFunction,
  unit: Omit<ActiveContext, "tx"> & Omit<UnitOptions, "readOnly"> & { readOnly: boolean },
): Promise<unknown> {
  const { organizationId, userId, ...options } = unit;
  try {
    return await unitRunnerOf(db).run(
      setup,
      (tx) => active.run({ organizationId, userId, tx }, () => fn(tx)),
      options,
    );
  } catch (error) {
    if (errorCode(error) === "25006") {
      throw new ReadOnlyUnitError(
        "A read-only tenant unit (readOnly: true, or a replica) tried to write; run writes in a unit without readOnly.",
        { cause: error },
      );
    }
    throw classifyDatabaseError(error);
  }
}
