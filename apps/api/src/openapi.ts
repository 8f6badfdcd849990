import { OpenAPIHono, z } from "@hono/zod-openapi";
import { isPossibleId } from "@repo/db";
import type { AppEnv } from "./context";
import { ApiError, type FieldErrors, notFound } from "./errors";

/**
 * An empty field map. Its keys come from the client ("toString", "__proto__"): without a
 * prototype none of them reads an inherited member or sets the prototype.
 */
const emptyFields = (): FieldErrors => Object.create(null);

const WHAT = {
  json: "request body",
  query: "query parameters",
  param: "path parameters",
  header: "headers",
} as const;

/** A ZodError as the API's 400: field errors keyed by dotted path; unknown keys each get one. */
function invalidRequest(error: z.ZodError, target: string): ApiError {
  const fields = emptyFields();
  const other: string[] = [];
  const add = (key: string, message: string) => {
    fields[key] ??= [];
    fields[key].push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const prefix = issue.path.length ? `${issue.path.join(".")}.` : "";
      for (const key of issue.keys) add(`${prefix}${key}`, "Unknown field");
    } else if (issue.path.length) {
      add(issue.path.join("."), issue.message);
    } else {
      other.push(issue.message);
    }
  }
  const what = WHAT[target as keyof typeof WHAT] ?? "request";
  return new ApiError(
    400,
    "invalid_request",
    [`Invalid ${what}.`, ...other].join(" "),
    Object.keys(fields).length ? fields : undefined,
  );
}

/** A router whose routes are typed contracts: a request that does not fit is our 400. */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error, result.target);
    },
  });
}

// Shared pieces of the contract.

const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum([
        "invalid_request",
        "unauthorized",
        "not_found",
        "conflict",
        "payload_too_large",
        "unavailable",
        "timeout",
        "internal",
      ]),
      message: z.string(),
      fields: z.record(z.string(), z.array(z.string())).optional(),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBodySchema } },
});

/** What every /v1 route may answer besides its own responses. */
export const commonErrors = {
  400: errorResponse("The request does not fit the contract: `fields` names what to fix."),
  401: errorResponse("A valid bearer token for this organization is required."),
  503: errorResponse("The database is unavailable; retry after `Retry-After` seconds."),
  504: errorResponse("The request took too long in the database."),
} as const;

export const notFoundResponse = errorResponse(
  "No such row in the caller's organization (another organization's id included).",
);
export const conflictResponse = errorResponse("The row conflicts with an existing one.");
export const tooLargeResponse = errorResponse("The body is larger than the limit (1 MiB).");

/** A path id: opaque text. */
export const IdParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "plan_acme_1" }),
});

/** A path id, or 404 when it cannot name a row (like any other unknown id). */
export function pathId(id: string): string {
  if (!isPossibleId(id)) throw notFound();
  return id;
}

/**
 * A row schema from @repo/db/zod as a named component of the contract (a new object over the
 * same fields: schemas made before this module extended zod have no .openapi()).
 */
export const component = <S extends z.ZodRawShape>(name: string, schema: { shape: S }) =>
  z.object(schema.shape).openapi(name);

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A required JSON body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const bearer = [{ bearer: [] }];
