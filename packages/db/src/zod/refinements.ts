import { getTableColumns, type Table } from "drizzle-orm";
import { z } from "zod";
import { EMBEDDING_DIMENSIONS } from "../schema/search";

// Field refinements shared by the table schemas. Each is a function, so drizzle-zod still adds
// the column's nullable/optional wrappers around the result (a plain schema would replace
// them). They validate and never transform: what parses is what gets written.

/** Text that is not empty, nor only whitespace. */
export const nonBlank = (schema: z.ZodString) =>
  schema.refine((value) => value.trim().length > 0, { message: "Must not be blank" });

export const email = () => z.email();

/** Lowercase words joined by single hyphens, e.g. "acme-labs". */
export const slug = (schema: z.ZodString) =>
  nonBlank(schema).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: "Must be lowercase letters and digits joined by single hyphens",
  });

/** A non-negative integer column (counts, tokens), within drizzle-zod's int32 bounds. */
export const count = (schema: z.ZodInt) => schema.min(0);

/**
 * A Postgres numeric: drizzle reads and writes it as a string, so amounts stay exact.
 * Non-negative, plain decimal notation (no sign, exponent or thousands separator).
 */
export const decimalString = (schema: z.ZodString) =>
  schema.regex(/^\d+(\.\d+)?$/, { message: "Must be a non-negative decimal, e.g. 0.0012" });

/** Lowercase hex sha256, the only form of a token that is stored. */
export const sha256Hex = (schema: z.ZodString) =>
  schema.regex(/^[0-9a-f]{64}$/, { message: "Must be a lowercase hex sha256 (64 characters)" });

/** Deepest jsonb value: objects and arrays inside one another (`{}` is 1 deep, a number 0). */
export const MAX_JSON_DEPTH = 32;

/** Largest jsonb value, as UTF-8 JSON text. */
export const MAX_JSON_BYTES = 64 * 1024;

/**
 * The first reason a value cannot be a jsonb value within the limits, or undefined. Iterative
 * and stopping at the depth limit: drizzle maps jsonb with JSON.stringify, whose recursion a
 * few thousand levels overflow. Strings and keys must be text jsonb can hold (no NUL, no lone
 * surrogate).
 */
function jsonProblem(value: unknown): { path: PropertyKey[]; message: string } | undefined {
  const textProblem = (text: string) =>
    text.includes("\0")
      ? "Must not contain NUL characters"
      : text.isWellFormed()
        ? undefined
        : "Must not contain a lone surrogate (not valid Unicode)";
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeof node.value === "string") {
      const message = textProblem(node.value);
      if (message) return { path: node.path, message };
    } else if (typeof node.value === "object" && node.value !== null) {
      if (node.path.length >= MAX_JSON_DEPTH) {
        return { path: [], message: `Must nest at most ${MAX_JSON_DEPTH} levels deep` };
      }
      const isArray = Array.isArray(node.value);
      for (const [key, child] of Object.entries(node.value)) {
        const path = [...node.path, isArray ? Number(key) : key];
        const message = isArray ? undefined : textProblem(key);
        if (message) return { path, message };
        stack.push({ value: child, path });
      }
    }
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return { path: [], message: "Must be a JSON value" };
  }
  if (json !== undefined && new TextEncoder().encode(json).byteLength > MAX_JSON_BYTES) {
    return { path: [], message: `Must be at most ${MAX_JSON_BYTES} bytes as JSON` };
  }
  return undefined;
}

/** The limits of every jsonb column (see jsonProblem), on the column's own schema. */
export const boundedJson = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const problem = jsonProblem(value);
    if (problem) ctx.addIssue({ code: "custom", input: value, ...problem });
  });

/** A jsonb column typed as an object in the schema: drizzle-zod alone accepts any JSON. */
export const jsonObject = () => boundedJson(z.record(z.string(), z.unknown()));

/** Largest finite halfvec component; pgvector rejects anything beyond it. */
const HALFVEC_MAX = 65504;

/** Exactly EMBEDDING_DIMENSIONS finite numbers (zod 4 numbers reject NaN and Infinity). */
export const embedding = () =>
  z.array(z.number().min(-HALFVEC_MAX).max(HALFVEC_MAX)).length(EMBEDDING_DIMENSIONS);

/** Columns an insert may leave out: nullable ones, and those with a default. */
type OptionalOnInsert<TTable extends Table> = {
  [K in keyof TTable["_"]["columns"]]: TTable["_"]["columns"][K]["_"]["notNull"] extends true
    ? TTable["_"]["columns"][K]["_"]["hasDefault"] extends true
      ? K
      : never
    : K;
}[keyof TTable["_"]["columns"]];

type WithOptionalOnInsert<TTable extends Table, TShape extends z.core.$ZodShape> = {
  [K in keyof TShape]: K extends OptionalOnInsert<TTable>
    ? TShape[K] extends z.ZodOptional
      ? TShape[K]
      : z.ZodOptional<TShape[K]>
    : TShape[K];
};

/**
 * drizzle-zod 0.8.3 types a function-refined column as required in an insert schema even when
 * the column is nullable or has a default, while at runtime it is optional. This makes the
 * type say what the runtime does (and what `$inferInsert` says); the parsing is unchanged.
 */
export function insertOptionality<TTable extends Table, TShape extends z.core.$ZodShape>(
  table: TTable,
  schema: z.ZodObject<TShape>,
) {
  const optional: Record<string, z.ZodOptional> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const field = schema.shape[key];
    if (field && !(field instanceof z.ZodOptional) && (!column.notNull || column.hasDefault)) {
      optional[key] = z.optional(field);
    }
  }
  return schema.extend(optional) as unknown as z.ZodObject<WithOptionalOnInsert<TTable, TShape>>;
}
