import { errorCode } from "@repo/db";
import pino, { type Logger } from "pino";
import { apiEnv } from "./env";

export type { Logger };

/**
 * The API's logger: JSON lines on stdout (LOG_LEVEL, default info; "silent" in tests). Lines
 * carry ids, routes, statuses and durations: never request bodies, query strings, tokens or
 * SQL parameters.
 */
export function createLogger(level = apiEnv().LOG_LEVEL): Logger {
  return pino({ level, base: undefined });
}

/**
 * What may be logged of an unexpected error: its class and SQLSTATE, and a message only for
 * errors that did not come from the database (drizzle's carry the query's parameters, and
 * Postgres messages can quote input values).
 */
export function describeError(error: unknown): Record<string, unknown> {
  const code = errorCode(error);
  if (!(error instanceof Error)) return { error: typeof error };
  if (code) return { error: error.name, code };
  return { error: error.name, message: error.message.split("\n", 1)[0] };
}
