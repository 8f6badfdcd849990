/**
 * The innermost cause of an error. drizzle wraps driver errors as "Failed query: ..." with
 * the Postgres error (message, code) as `cause`.
 */
export function rootCause(error: unknown): Error {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current : new Error(String(current));
}
