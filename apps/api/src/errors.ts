import {
  classifyDatabaseError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  DomainError,
  errorCode,
  PreparationBusyError,
  TenantBusyError,
} from "@repo/db";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./context";
import { describeError } from "./log";

// Every error response has one shape:
//   { "error": { "code": "...", "message": "...", "fields"?: { "<field>": ["..."] } } }
// Codes are stable (clients switch on them); messages are for people.

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unavailable"
  | "timeout"
  | "internal";

export type FieldErrors = Record<string, string[]>;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; fields?: FieldErrors };
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields ? { fields: this.fields } : {}),
      },
    };
  }
}

/** One message for a missing row and another organization's row: ids must not be probeable. */
export const notFound = () => new ApiError(404, "not_found", "Not found.");

/** One body for a missing, malformed, unknown, expired or revoked token and for no membership. */
export const unauthorized = () =>
  new ApiError(401, "unauthorized", "A valid bearer token for this organization is required.");

/** The SQLSTATE of a Postgres error, however deep drizzle and the driver wrapped it. */
function postgresCode(error: unknown): string | undefined {
  const code = errorCode(error);
  return code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The response for any error a route throws: ApiError as it says; database infrastructure
 * failures as 503 (with Retry-After) or 504, never 500; a few SQL errors a client caused as
 * 4xx; everything else 500, logged without its parameters.
 */
export function respondWithError(error: unknown, c: Context<AppEnv>): Response {
  if (error instanceof ApiError) {
    if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="api"');
    return c.json(error.body(), error.status);
  }
  if (error instanceof DomainError) {
    const refusal =
      error.code === "not_found" ? notFound() : new ApiError(409, "conflict", error.message);
    return c.json(refusal.body(), refusal.status);
  }
  // Hono's refusals before a handler runs: a body that is not JSON (400), or not sent as JSON.
  if (error instanceof HTTPException && error.status < 500) {
    const refusal =
      error.status === 400
        ? new ApiError(400, "invalid_request", "The request body must be a JSON object.")
        : error.status === 415
          ? new ApiError(
              415,
              "invalid_request",
              "Send the body as JSON (Content-Type: application/json).",
            )
          : new ApiError(error.status as ContentfulStatusCode, "invalid_request", error.message);
    return c.json(refusal.body(), refusal.status);
  }
  if (error instanceof PreparationBusyError || error instanceof TenantBusyError) {
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    return c.json(new ApiError(503, "unavailable", error.message).body(), 503);
  }
  const failure = classifyDatabaseError(error);
  if (failure instanceof DatabaseUnavailableError) {
    c.var.log?.warn(
      { ...describeError(failure.cause ?? failure), reason: failure.reason },
      "database unavailable",
    );
    c.header("Retry-After", String(RETRY_AFTER_SECONDS));
    return c.json(
      new ApiError(503, "unavailable", "The database is unavailable; retry shortly.").body(),
      503,
    );
  }
  if (failure instanceof DatabaseTimeoutError) {
    c.var.log?.warn({ reason: failure.reason }, "database timeout");
    return c.json(
      new ApiError(504, "timeout", "The request took too long in the database.").body(),
      504,
    );
  }
  const code = postgresCode(error);
  // character_not_in_repertoire / untranslatable_character: a NUL in a text value.
  if (code === "22021" || code === "22P05") {
    return c.json(
      new ApiError(400, "invalid_request", "Text must not contain NUL characters.").body(),
      400,
    );
  }
  if (code === "23505") {
    return c.json(
      new ApiError(409, "conflict", "A row with these values already exists.").body(),
      409,
    );
  }
  c.var.log?.error(describeError(error), "unhandled error");
  return c.json(new ApiError(500, "internal", "Internal error.").body(), 500);
}
