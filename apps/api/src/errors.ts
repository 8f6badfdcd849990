import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

// Every error response has one shape:
//   { "error": { "code": "...", "message": "...", "fields"?: { "<field>": ["..."] } } }
// Codes are stable (clients switch on them); messages are for people.

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "not_found"
  | "conflict"
  | "payload_too_large"
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
export function postgresCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

export function respondWithError(error: unknown, c: Context): Response {
  if (error instanceof ApiError) {
    if (error.status === 401) c.header("WWW-Authenticate", 'Bearer realm="api"');
    return c.json(error.body(), error.status);
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
  console.error(`[api] ${c.req.method} ${c.req.path} failed:`, error);
  return c.json(new ApiError(500, "internal", "Internal error.").body(), 500);
}
