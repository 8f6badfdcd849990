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

const LONE_SURROGATE = "Must not contain a lone surrogate (text that is not valid Unicode)";

/** Reported at most: a body full of them must not make the error body as large. */
const MAX_LONE_SURROGATES = 10;

interface JsonNode {
  value: unknown;
  key: string;
  parent: JsonNode | undefined;
}

const pathOf = (node: JsonNode) => {
  const keys: string[] = [];
  for (let at: JsonNode | undefined = node; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join(".");
};

/**
 * Dotted paths of the strings and keys of a JSON value that hold a lone surrogate ("" for the
 * value itself). JSON can carry one ("\udfff"), but UTF-8, and so Postgres text and jsonb,
 * cannot. Iterative: a body may nest far deeper than the call stack.
 */
function loneSurrogates(value: unknown): string[] {
  const found: string[] = [];
  const stack: JsonNode[] = [{ value, key: "", parent: undefined }];
  for (let node = stack.pop(); node && found.length < MAX_LONE_SURROGATES; node = stack.pop()) {
    if (typeof node.value === "string") {
      if (!node.value.isWellFormed()) found.push(pathOf(node));
    } else if (typeof node.value === "object" && node.value !== null) {
      for (const [key, child] of Object.entries(node.value)) {
        const childNode = { value: child, key, parent: node };
        if (key.isWellFormed()) stack.push(childNode);
        else found.push(pathOf(childNode));
      }
    }
  }
  return found.slice(0, MAX_LONE_SURROGATES);
}

function surrogateErrors(paths: string[]): { fields: FieldErrors; other: string[] } {
  const fields = emptyFields();
  for (const path of paths) if (path) fields[path] = [LONE_SURROGATE];
  return { fields, other: paths.includes("") ? [`${LONE_SURROGATE}.`] : [] };
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const surrogates = loneSurrogates(value);
  const result = surrogates.length ? undefined : schema.safeParse(value);
  if (result?.success) return result.data;
  const { fields, other } = result ? fieldErrors(result.error) : surrogateErrors(surrogates);
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
