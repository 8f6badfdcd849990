/**
 * The innermost cause of an error. drizzle wraps driver errors as "Failed query: ..." with
 * the Postgres error (message, code) as `cause`.
 */
export function rootCause(error: unknown): Error {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current : new Error(String(current));
}

/** The SQLSTATE (or driver code such as CONNECTION_CLOSED) of an error, however deep it is wrapped. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    current = current.cause;
  }
  return undefined;
}

export type DatabaseUnavailableReason =
  /** Refused, reset or closed connections; the server shutting down or starting up. */
  | "connection"
  /** The server or the pool is out of connections or resources. */
  | "overloaded"
  /** COMMIT was answered with ROLLBACK: nothing of the unit was stored. */
  | "rolled_back"
  /** A prepared statement vanished between transactions: a transaction pooler without support. */
  | "prepared_statements";

export type DatabaseTimeoutReason = "statement" | "lock" | "idle_in_transaction";

/**
 * The database could not do the work, through no fault of the input: callers answer 503 and
 * may retry. Nothing of a failed tenant unit was stored.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(
    readonly reason: DatabaseUnavailableReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A write inside a read-only unit (SQLSTATE 25006): a programming error, not an outage. */
export class ReadOnlyUnitError extends Error {
  override readonly name = "ReadOnlyUnitError";
}

/** A statement, lock wait or idle transaction ran past its bound (callers answer 504). */
export class DatabaseTimeoutError extends Error {
  override readonly name = "DatabaseTimeoutError";
  constructor(
    readonly reason: DatabaseTimeoutReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
]);

const OVERLOADED_CODES = new Set([
  "53000", // insufficient_resources
  "53100", // disk_full
  "53200", // out_of_memory
  "53300", // too_many_connections
]);

/**
 * Turns infrastructure failures into DatabaseUnavailableError / DatabaseTimeoutError (with
 * the original as `cause`) and returns every other error unchanged: a constraint violation
 * or a syntax error stays what it is.
 */
export function classifyDatabaseError(error: unknown): unknown {
  // Already typed, perhaps wrapped since (drizzle wraps what a driver throws as "Failed query").
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof DatabaseUnavailableError || current instanceof DatabaseTimeoutError) {
      return current;
    }
    current = current.cause;
  }
  const code = errorCode(error);
  if (code === undefined) return error;
  const options = { cause: error };
  if (CONNECTION_CODES.has(code) || code.startsWith("08")) {
    return new DatabaseUnavailableError(
      "connection",
      `The database connection failed (${code}); retry shortly.`,
      options,
    );
  }
  if (OVERLOADED_CODES.has(code)) {
    return new DatabaseUnavailableError(
      "overloaded",
      `The database is out of resources (${code}); retry shortly.`,
      options,
    );
  }
  if (code === "26000") {
    return new DatabaseUnavailableError(
      "prepared_statements",
      "A prepared statement vanished between transactions: behind a transaction pooler without prepared-statement support, set DB_PREPARED_STATEMENTS=false (or enable the pooler's support, e.g. PgBouncer >= 1.21 max_prepared_statements).",
      options,
    );
  }
  if (code === "57014") {
    return new DatabaseTimeoutError(
      "statement",
      "The statement ran past statement_timeout and was cancelled.",
      options,
    );
  }
  if (code === "55P03") {
    return new DatabaseTimeoutError("lock", "Waiting for a lock ran past lock_timeout.", options);
  }
  if (code === "25P03") {
    return new DatabaseTimeoutError(
      "idle_in_transaction",
      "The transaction stayed idle past idle_in_transaction_session_timeout and its connection was closed.",
      options,
    );
  }
  return error;
}
