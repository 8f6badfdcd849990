import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, type FieldErrors } from "./errors";

/**
 * An empty field map. Its keys come from the client ("toString", "__proto__"): without a
 * prototype none of them reads an inherited member or sets the prototype.
 */
const emptyFields = (): FieldErrors => Object.create(null);

/** Field errors keyed by dotted path ("metadata.priority"); unknown keys each get one. */
function fieldErrors(error: z.ZodError): { fields: FieldErrors; other: string[] } {
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
  return { fields, other };
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { fields, other } = fieldErrors(result.error);
  const message = [`Invalid ${what}.`, ...other].join(" ");
  throw new ApiError(
    400,
    "invalid_request",
    message,
    Object.keys(fields).length ? fields : undefined,
  );
}

/** The JSON body, parsed with `schema`: 400 with field errors when it does not fit. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, "invalid_request", "The request body must be a JSON object.");
  }
  return parseOrThrow(schema, body, "request body");
}

/** The query string, parsed with `schema` (values are strings: coerce numbers). */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  return parseOrThrow(schema, c.req.query(), "query parameters");
}
