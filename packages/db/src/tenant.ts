import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "drizzle-orm";
import type { Database, Transaction } from "./client";
import { getDb } from "./connections";
import { TENANT_ROLE } from "./roles";
import { TENANT_SETTING } from "./schema/base";

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
  organizationId: string;
  userId: string;
  tx: Transaction;
}

const active = new AsyncLocalStorage<ActiveContext>();

type Work<T> = (tx: Transaction) => Promise<T>;

/**
 * Runs `fn` in one transaction as role `authenticated` with the tenant settings, set in ONE
 * statement (as PostgREST does per request), all transaction-local: nothing survives the
 * transaction on a pooled connection. Commits when `fn` resolves, rolls back when it throws.
 * Inside `fn`, a nested call for the same context reuses the transaction; for another one it
 * throws. Without `db`, the app database (getDb()) is used.
 */
export function withTenantContext<T>(context: TenantContext, fn: Work<T>): Promise<T>;
export function withTenantContext<T>(db: Database, context: TenantContext, fn: Work<T>): Promise<T>;
export async function withTenantContext<T>(
  ...args: [TenantContext, Work<T>] | [Database, TenantContext, Work<T>]
): Promise<T> {
  const [explicitDb, context, fn] = args.length === 2 ? [undefined, ...args] : args;
  const { organizationId, userId } = validate(context);

  const current = active.getStore();
  if (current) {
    if (current.organizationId !== organizationId || (userId !== "" && current.userId !== userId)) {
      throw new TenantContextError(
        "conflicting_context",
        "withTenantContext was called inside another tenant context for a different organization or user. Finish the outer one first; one transaction serves one tenant.",
      );
    }
    return fn(current.tx);
  }

  const db = explicitDb ?? getDb();
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config(${TENANT_SETTING}, ${organizationId}, true), set_config('app.current_user_id', ${userId}, true), set_config('role', ${TENANT_ROLE}, true)`,
    );
    return active.run({ organizationId, userId, tx }, () => fn(tx));
  });
}
