import type { MiddlewareHandler } from "hono";
import { ApiError, type FieldErrors } from "./errors";

// JSON can carry a lone surrogate ("\udfff"); UTF-8, and so Postgres text and jsonb, cannot.
// Refused before a route's schema runs, as a 400 naming the fields, instead of a database error.

const LONE_SURROGATE = "Must not contain a lone surrogate (text that is not valid Unicode)";

/** Reported at most: a body full of them must not make the error body as large. */
const MAX_REPORTED = 10;

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
 * value itself). Iterative: a body may nest far deeper than the call stack.
 */
function loneSurrogates(value: unknown): string[] {
  const found: string[] = [];
  const stack: JsonNode[] = [{ value, key: "", parent: undefined }];
  for (let node = stack.pop(); node && found.length < MAX_REPORTED; node = stack.pop()) {
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
  return found.slice(0, MAX_REPORTED);
}

function refuse(paths: string[], what: string): ApiError {
  // Keys come from the client ("__proto__"): a map without a prototype.
  const fields: FieldErrors = Object.create(null);
  for (const path of paths) if (path) fields[path] = [LONE_SURROGATE];
  const message = [`Invalid ${what}.`, ...(paths.includes("") ? [`${LONE_SURROGATE}.`] : [])];
  return new ApiError(
    400,
    "invalid_request",
    message.join(" "),
    Object.keys(fields).length ? fields : undefined,
  );
}

// The media types Hono's json validator parses.
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** 400 for a query string or JSON body holding a lone surrogate. */
export const refuseLoneSurrogates: MiddlewareHandler = async (c, next) => {
  const inQuery = loneSurrogates(c.req.query());
  if (inQuery.length) throw refuse(inQuery, "query parameters");
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (JSON_TYPE.test(mediaType)) {
    let body: unknown;
    try {
      body = await c.req.json(); // cached: the route's validator reads the same parse
    } catch {
      return next(); // not JSON: the route's validator answers that
    }
    const inBody = loneSurrogates(body);
    if (inBody.length) throw refuse(inBody, "request body");
  }
  return next();
};
